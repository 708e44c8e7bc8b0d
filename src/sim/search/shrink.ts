import {lenientSchedule} from '../kernel/chooser.js'
import {decodeSchedule} from '../kernel/schedule.js'
import {MS} from '../kernel/time.js'
import {fixed} from '../scenario/delay.js'
import type {DelayTarget} from '../scenario/delay-spec.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../simulated/run-simulation.js'
import type {Counterexample} from './counterexample.js'
import {explainViolation} from './explain.js'
import type {InvariantName} from '../check/invariant.js'

/** Candidate runs the shrinker may try before it settles for what it has. */
export const SHRINK_BUDGET = 400

/**
 * Delays the shrinker tries to flatten, each to the smallest value that keeps the causal steps
 * apart in a timeline (1 ms where two commits would otherwise share an instant).
 */
const FLATTEN: readonly [DelayTarget, number][] = [
  ['kafka', 0],
  ['els', 0],
  ['batch-gap', 0],
  ['upload-gap', MS],
  ['file-processing', MS],
]

/**
 * Reduces a failing run while the same invariant still fails: first the structure (faults,
 * batches, essays, ELS instances, until nothing more goes), then the incidental delays, and last the recorded
 * schedule itself (a shorter prefix, then each choice set to its first option). Every accepted
 * step keeps the violation, so the result reproduces it; the schedule makes it exact.
 * Candidates replay leniently; what is kept is always the schedule the accepted run recorded,
 * all of it (trailing zeros too), so the result replays strictly with `racelab run --schedule`.
 */
export function shrinkCounterexample(options: RunOptions, invariant: InvariantName, budget = SHRINK_BUDGET): Counterexample {
  let attempts = 0
  const fails = (candidate: RunOptions): SimulationRun | undefined => {
    attempts++
    // Candidates replay leniently: a cut or edited schedule (or one recorded for a larger
    // topology) answers 0 where it no longer fits.
    const run = runSimulation(candidate.schedule ? {...candidate, schedule: lenientSchedule(candidate.schedule)} : candidate)
    return run.result.violations.some((v) => v.invariant === invariant) ? run : undefined
  }
  // Every candidate replays the current schedule, so the choices that made the failure (a
  // relay's skew, a tie broken the harmful way) stay where they were while the rest shrinks.
  let bestRun = fails(options)
  if (!bestRun) throw new Error(`shrinkCounterexample: the run does not violate ${invariant}`)
  let best: RunOptions = {...options, schedule: decodeSchedule(bestRun.result.schedule)}
  const tryStep = (change: Partial<RunOptions>): boolean => {
    if (attempts >= budget) return false
    const candidate = {...best, ...change}
    const run = fails(candidate)
    if (!run) return false
    best = {...candidate, schedule: decodeSchedule(run.result.schedule)}
    bestRun = run
    return true
  }

  // Structure: repeat the passes until none removes anything (removing a fault can make a
  // smaller topology fail, and the other way round).
  for (let changed = true; changed && attempts < budget; ) {
    changed = false
    for (const fault of [...(best.faults ?? [])]) {
      if (tryStep({faults: (best.faults ?? []).filter((f) => f !== fault)})) changed = true
    }
    const batches = bestRun.scenario.layout?.length ?? bestRun.scenario.batches
    if (firstThatFails(batches, (n) => tryStep({batches: n}))) changed = true
    // Fewer essays upload fewer files: --invalid never asks for more invalid ones than there are.
    const extra = bestRun.scenario.extraFiles
    const invalidFor = (essays: number) => (best.invalid === undefined ? {} : {invalid: Math.min(best.invalid, Math.max(0, essays + extra))})
    if (firstThatFails(bestRun.scenario.essays, (n) => tryStep({essays: n, ...invalidFor(n)}))) changed = true
    if (best.invalid !== undefined && best.invalid > 0 && firstThatFails(best.invalid, (n) => tryStep({invalid: n}))) changed = true
    if ((best.elsInstances ?? 1) > 1 && tryStep({elsInstances: (best.elsInstances ?? 1) - 1})) changed = true
  }

  // Incidental delays: flatten what does not matter to the failure.
  for (const [target, value] of FLATTEN) {
    tryStep({delays: [...(best.delays ?? []).filter((d) => d.target !== target), {target, delay: fixed(value)}]})
  }

  // The schedule: cut it short, then set each remaining choice to its first option.
  let schedule = best.schedule ?? []
  let low = 0
  let high = schedule.length
  while (low < high && attempts < budget) {
    const middle = (low + high) >> 1
    if (tryStep({schedule: schedule.slice(0, middle)})) high = middle
    else low = middle + 1
  }
  schedule = best.schedule ?? []
  for (let i = 0; i < schedule.length && attempts < budget; i++) {
    if (schedule[i] === 0) continue
    const flattened = [...schedule]
    flattened[i] = 0
    if (tryStep({schedule: flattened})) schedule = best.schedule ?? []
  }

  return {invariant, options: best, run: bestRun, explanation: explainViolation(bestRun, invariant), attempts}
}

/** Tries 1, 2, ... up to (not including) `current`; true at the first that still fails. */
function firstThatFails(current: number, attempt: (n: number) => boolean): boolean {
  for (let n = 1; n < current; n++) if (attempt(n)) return true
  return false
}
