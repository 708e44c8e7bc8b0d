import {spawnSync} from 'node:child_process'

import {packageFile} from '../package-root.js'

/** The one large run bench measures (docs/benchmarks.md#one-large-run-2026-12-01): content-first, buffer, 25 essays a batch. */
export const BIG_RUN = {scenario: 'content-first', strategy: 'buffer', essays: 25} as const

/** Goals for 10,000 batches (issue 12): under 60 s and under 1 GiB at its peak. */
export const BIG_RUN_GOAL = {batches: 10_000, seconds: 60, peakMiB: 1024} as const

export interface BigRunBench {
  scenario: string
  strategy: string
  batches: number
  essays: number
  files: number
  events: number
  verdict: 'pass' | 'fail'
  /** Wall time of the run in its process (start-up excluded). */
  seconds: number
  /** The process's maximum resident set (getrusage), the run's peak memory. */
  peakMiB: number
}

/**
 * One run of `batches` × 25 essays, alone in a child process (`big-run-child.ts`), so that its
 * peak memory is its own and not the bench's: the child reports its wall time and maximum
 * resident set. The run keeps no trace, as `racelab run` without --trace does.
 */
export function benchBigRun(batches: number): BigRunBench {
  const child = spawnSync(process.execPath, [packageFile('dist/sim/bench/big-run-child.js'), String(batches)], {encoding: 'utf8', maxBuffer: 1 << 20})
  if (child.status !== 0) throw new Error(`bench --big-run: the run's process failed (${child.status ?? child.signal}): ${child.stderr.trim().split('\n').at(-1) ?? ''}`)
  return JSON.parse(child.stdout) as BigRunBench
}
