import {describeChooser} from '../kernel/chooser-spec.js'
import type {Counterexample} from '../search/counterexample.js'
import {emptyTally, mergeTallies, type CellTally} from './cell-tally.js'
import {cellResult, type CellResult} from './cell-result.js'
import {chunkSizeFor, planChunks, type Chunk} from './chunk.js'
import {counterexampleCells, replayShrunk, shrinkJob} from './counterexamples.js'
import {totalRuns, type Cell} from './matrix.js'
import {ProgressCounter, type Progress} from './progress.js'
import type {Task} from './task.js'
import {WorkerPool} from './worker-pool.js'

export interface VerifyOptions {
  /** Worker threads; 1 runs everything in this thread. */
  workers: number
  /** Shrink a counterexample for every cell with a failing seed. */
  shrink: boolean
  onProgress?: (progress: Progress) => void
  /** Seeds per chunk (default: from the matrix size and the workers). */
  chunkSize?: number
  /** The user's handler every cell runs (its path as given), for the reports. */
  handler?: string
  /** The user's consumer process every cell runs (`--handler-cmd`, the command as given), for the reports. */
  handlerCmd?: string
}

export interface CellCounterexample {
  result: CellResult
  counterexample: Counterexample
}

export interface VerifyOutcome {
  /** pass when every cell matched its expectation. */
  verdict: 'pass' | 'fail'
  results: CellResult[]
  /** Unexpected failures first, then expected ones (see `counterexampleCells`). */
  counterexamples: CellCounterexample[]
  runs: number
  workers: number
  /** The user's handler every cell ran, when there was one. */
  handler?: string
  /** The user's consumer process every cell ran, when there was one. */
  handlerCmd?: string
}

/** The chooser of a matrix's runs, as reports name it (one chooser per matrix: --chooser). */
export function outcomeChooser(outcome: Pick<VerifyOutcome, 'results'>): string {
  return describeChooser(outcome.results[0]?.cell.shape.options.chooser)
}

/** Runs every cell of the matrix over its seeds on a pool of workers and compares with expectations. */
export async function verifyMatrix(cells: readonly Cell[], options: VerifyOptions): Promise<VerifyOutcome> {
  const runs = totalRuns(cells)
  const chunks = planChunks(cells, options.chunkSize ?? chunkSizeFor(runs, options.workers))
  const counter = new ProgressCounter(runs, countPerCell(cells, chunks))
  const pool = new WorkerPool(options.workers)
  try {
    const done = await pool.run(
      chunks.map((chunk): Task => ({kind: 'chunk', chunk})),
      (index) => options.onProgress?.(counter.chunkDone(chunks[index].cell, chunks[index].seeds)),
    )
    const tallies = done.map((r) => {
      if (r.kind !== 'chunk') throw new Error(`a chunk came back as a ${r.kind} result`)
      return r.tally
    })
    return await conclude(pool, mergeChunks(cells, chunks, tallies), runs, options)
  } finally {
    await pool.close()
  }
}

/**
 * Judges a matrix whose cells were tallied elsewhere (racelab merge joins shards' tallies): the
 * counterexamples and the verdict, exactly as verifyMatrix ends.
 */
export async function concludeMatrix(results: CellResult[], runs: number, options: Pick<VerifyOptions, 'workers' | 'shrink' | 'handler' | 'handlerCmd'>): Promise<VerifyOutcome> {
  const pool = new WorkerPool(options.workers)
  try {
    return await conclude(pool, results, runs, options)
  } finally {
    await pool.close()
  }
}

async function conclude(pool: WorkerPool, results: CellResult[], runs: number, options: Pick<VerifyOptions, 'workers' | 'shrink' | 'handler' | 'handlerCmd'>): Promise<VerifyOutcome> {
  const targets = options.shrink ? counterexampleCells(results) : []
  const shrunk = await pool.run(targets.map((result): Task => ({kind: 'shrink', job: shrinkJob(result)})))
  const counterexamples = shrunk.map((r, i) => {
    if (r.kind !== 'shrink') throw new Error(`a shrink came back as a ${r.kind} result`)
    return {result: targets[i], counterexample: replayShrunk(r.shrunk)}
  })
  const verdict = results.every((r) => r.check.matched) ? 'pass' : 'fail'
  return {verdict, results, counterexamples, runs, workers: options.workers, ...(options.handler === undefined ? {} : {handler: options.handler}), ...(options.handlerCmd === undefined ? {} : {handlerCmd: options.handlerCmd})}
}

/**
 * Folds chunk tallies into cell results. `tallies[i]` belongs to `chunks[i]`; tallies merge
 * commutatively, so the result does not depend on the order chunks finished (or are listed) in.
 */
export function mergeChunks(cells: readonly Cell[], chunks: readonly Chunk[], tallies: readonly CellTally[]): CellResult[] {
  const perCell: CellTally[] = cells.map(() => emptyTally())
  chunks.forEach((chunk, i) => {
    perCell[chunk.cell] = mergeTallies(perCell[chunk.cell], tallies[i])
  })
  return cells.map((cell) => cellResult(cell, perCell[cell.index]))
}

function countPerCell(cells: readonly Cell[], chunks: readonly Chunk[]): number[] {
  const counts = cells.map(() => 0)
  for (const chunk of chunks) counts[chunk.cell]++
  return counts
}
