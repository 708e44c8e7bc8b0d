import type {SpecParse} from '../scenario/delay-spec.js'
import type {CellTally} from './cell-tally.js'
import type {Cell} from './matrix.js'

/** `--shard K/N`: this machine runs part K (1-based) of N. */
export interface Shard {
  index: number
  count: number
}

/** The most shards a matrix is split into. */
export const MAX_SHARDS = 1000

export function parseShard(text: string): SpecParse<Shard> {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!match) return {ok: false, error: `"${text}" should be K/N, e.g. 2/4 (part K of N)`}
  const index = Number(match[1])
  const count = Number(match[2])
  if (count < 1 || count > MAX_SHARDS) return {ok: false, error: `"${text}": N is from 1 to ${MAX_SHARDS}`}
  if (index < 1 || index > count) return {ok: false, error: `"${text}": K is from 1 to N (${count})`}
  return {ok: true, value: {index, count}}
}

/** The seeds of one cell that one shard runs. */
export interface ShardPart {
  /** The cell's index in the whole matrix. */
  cell: number
  seedStart: number
  seeds: number
}

/**
 * The deterministic split: the matrix's runs (every cell's seeds, cell after cell) in one list,
 * cut into N contiguous pieces whose sizes differ by at most one; shard K takes piece K. So N
 * shards cover every run exactly once, and each cell's seeds stay contiguous within a shard.
 */
export function shardParts(cells: readonly Pick<Cell, 'index' | 'seedStart' | 'seeds'>[], shard: Shard): ShardPart[] {
  const total = cells.reduce((sum, cell) => sum + cell.seeds, 0)
  const from = Math.floor(((shard.index - 1) * total) / shard.count)
  const to = Math.floor((shard.index * total) / shard.count)
  const parts: ShardPart[] = []
  let offset = 0
  for (const cell of cells) {
    const start = Math.max(from, offset)
    const end = Math.min(to, offset + cell.seeds)
    if (end > start) parts.push({cell: cell.index, seedStart: cell.seedStart + (start - offset), seeds: end - start})
    offset += cell.seeds
  }
  return parts
}

/** The cells a shard runs: each a part of a matrix cell, renumbered from 0 (the parts say which). */
export function shardCells(cells: readonly Cell[], shard: Shard): {cells: Cell[]; parts: ShardPart[]} {
  const parts = shardParts(cells, shard)
  return {parts, cells: parts.map((part, index) => ({...cells[part.cell], index, seedStart: part.seedStart, seeds: part.seeds}))}
}

/** What a shard's `--json` carries for `racelab merge`: which part it ran, of which matrix, and its tallies. */
export interface ShardJson {
  index: number
  count: number
  /** The matrix as verify built it (blocks of scenarios × strategies × seeds and their shapes) and the chooser. */
  matrix: unknown
  parts: (ShardPart & {tally: CellTally})[]
}

/**
 * A shard's verdict: a `pass` or `fail` cell is judged on any part of its seeds, but whether a
 * `fail-sometimes` cell fails sometimes only the merged shards can say, so a shard counts those as
 * matched (racelab merge judges them).
 */
export function shardMatched(result: {cell: Cell; check: {matched: boolean}}): boolean {
  return result.check.matched || result.cell.expectation.outcome === 'fail-sometimes'
}
