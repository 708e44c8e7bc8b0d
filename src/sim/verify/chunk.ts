import type {InvariantName} from '../check/invariant.js'
import type {Strategy} from '../scenario/strategy.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {emptyTally, recordRun, type CellTally} from './cell-tally.js'
import {namedInvariants, type Cell} from './matrix.js'
import {toRunOptions, type ShapeOptions} from './run-spec.js'

/** A range of seeds of one cell: the unit of work a worker takes (plain data, it crosses threads). */
export interface Chunk {
  /** Position in the plan; results are stored by it, never by arrival order. */
  index: number
  cell: number
  scenario: string
  strategy: Strategy
  shape: ShapeOptions
  named: readonly InvariantName[]
  seedFrom: number
  seeds: number
}

/**
 * Seeds per chunk: small enough that every worker gets several chunks to balance load (a
 * large-batch seed costs a few times a content-first one), large enough that messaging is noise.
 */
export function chunkSizeFor(totalRuns: number, workers: number): number {
  return Math.max(5, Math.min(50, Math.ceil(totalRuns / (workers * 16))))
}

/** Splits every cell into chunks of at most `size` seeds, cell by cell, seeds ascending. */
export function planChunks(cells: readonly Cell[], size: number): Chunk[] {
  const chunks: Chunk[] = []
  for (const cell of cells) {
    for (let offset = 0; offset < cell.seeds; offset += size) {
      chunks.push({
        index: chunks.length,
        cell: cell.index,
        scenario: cell.scenario,
        strategy: cell.strategy,
        shape: cell.shape.options,
        named: namedInvariants(cell.expectation),
        seedFrom: cell.seedStart + offset,
        seeds: Math.min(size, cell.seeds - offset),
      })
    }
  }
  return chunks
}

/** Runs every seed of a chunk and tallies what the checker found. */
export function runChunk(chunk: Chunk): CellTally {
  let tally = emptyTally()
  for (let seed = chunk.seedFrom; seed < chunk.seedFrom + chunk.seeds; seed++) {
    const {result} = runSimulation(toRunOptions({...chunk.shape, scenario: chunk.scenario, strategy: chunk.strategy, seed}))
    tally = recordRun(tally, seed, result.violations.map((v) => v.invariant), chunk.named)
  }
  return tally
}
