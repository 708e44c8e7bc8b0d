import {availableParallelism} from 'node:os'
import {performance} from 'node:perf_hooks'

import {planChunks, chunkSizeFor} from '../verify/chunk.js'
import type {Cell} from '../verify/matrix.js'
import type {Task} from '../verify/task.js'
import {WorkerPool} from '../verify/worker-pool.js'
import {WARM_UP_RUNS} from './warm-up.js'

/** The goal: every core together runs at least this many times one core's runs/s. */
export const PARALLEL_GOAL = 1.8

export interface ParallelBench {
  scenario: string
  runs: number
  workers: number
  /** The same seeds (run and judged, as verify does) in this thread, then on `workers` threads. */
  oneCoreRunsPerSecond: number
  everyCoreRunsPerSecond: number
  speedup: number
}

/**
 * runs/s of one scenario (strategy buffer) on one core and on every core, through verify's own
 * worker pool and chunks: what `verify` gains from the machine's cores. Threads are started and
 * warmed before the timed pass, as a verify of any size amortizes them.
 */
export async function benchParallel(scenario: string, runs: number, workers = availableParallelism()): Promise<ParallelBench> {
  const tasksFor = (count: number, seedStart: number, pool: number): Task[] => {
    const cell: Cell = {index: 0, scenario, strategy: 'buffer', shape: {options: {}, args: []}, expectation: {outcome: 'pass'}, seedStart, seeds: count}
    return planChunks([cell], chunkSizeFor(count, pool)).map((chunk) => ({kind: 'chunk', chunk}))
  }
  const timed = async (pool: WorkerPool): Promise<number> => {
    // Warm-up: threads up and each one's code optimized (warm-up.ts). V8 compiles per thread: five
    // runs a thread left the pool with more threads paying more of it, start-up, not throughput.
    await pool.run(tasksFor(pool.size * WARM_UP_RUNS, 10_000, pool.size))
    const started = performance.now()
    await pool.run(tasksFor(runs, 1, pool.size))
    return runs / ((performance.now() - started) / 1000)
  }
  const one = new WorkerPool(1)
  const every = new WorkerPool(Math.max(1, workers))
  try {
    const oneCoreRunsPerSecond = await timed(one)
    const everyCoreRunsPerSecond = await timed(every)
    const round = (n: number): number => Math.round(n * 10) / 10
    return {
      scenario,
      runs,
      workers: every.size,
      oneCoreRunsPerSecond: round(oneCoreRunsPerSecond),
      everyCoreRunsPerSecond: round(everyCoreRunsPerSecond),
      speedup: Math.round((everyCoreRunsPerSecond / oneCoreRunsPerSecond) * 100) / 100,
    }
  } finally {
    await one.close()
    await every.close()
  }
}
