import {InputError} from '../input-error.js'

/**
 * The sections of `racelab bench`, by the names `--only` takes: the keys of its JSON, in the order
 * it runs them (docs/benchmarks.md).
 */
export const BENCH_PHASES = ['simulated', 'parallel', 'floor', 'handler', 'handler-cmd', 'first-failure', 'explore', 'big-run', 'live', 'soak'] as const

export type BenchPhase = (typeof BENCH_PHASES)[number]

/** `--only`'s names as the phases to run (every phase without it); an unknown name is an InputError listing the names. */
export function benchPhases(only: readonly string[] | undefined): ReadonlySet<BenchPhase> {
  if (only === undefined) return new Set(BENCH_PHASES)
  const unknown = only.find((name) => !(BENCH_PHASES as readonly string[]).includes(name))
  if (unknown !== undefined) throw new InputError(`--only ${unknown}: not a bench phase (phases: ${BENCH_PHASES.join(', ')})`)
  return new Set(only as BenchPhase[])
}
