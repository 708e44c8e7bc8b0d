import {InputError} from '../input-error.js'
import {emptyTally, mergeTallies, type CellTally} from './cell-tally.js'
import {cellResult, type CellResult} from './cell-result.js'
import type {Cell} from './matrix.js'
import {shardParts, type ShardJson} from './shard.js'

/** One shard's `--json` as read from its file. */
export interface ShardInput {
  file: string
  shard: ShardJson
}

/** The `shard` section of a verify `--json`, checked field by field; an InputError names the file. */
export function readShard(file: string, json: unknown): ShardInput {
  const shard = (json as {shard?: unknown} | null)?.shard as Partial<ShardJson> | undefined
  const fits =
    typeof shard === 'object' &&
    shard !== null &&
    Number.isInteger(shard.index) &&
    Number.isInteger(shard.count) &&
    shard.matrix !== undefined &&
    Array.isArray(shard.parts) &&
    shard.parts.every((p) => Number.isInteger(p?.cell) && Number.isInteger(p?.seedStart) && Number.isInteger(p?.seeds) && typeof p?.tally === 'object' && p.tally !== null)
  if (!fits) throw new InputError(`${file}: not the --json of racelab verify --shard K/N (it has no shard section)`)
  return {file, shard: shard as ShardJson}
}

/**
 * Joins N shards of one matrix into its cell results, as if one verify had run it. The shards must
 * fit together: the same matrix and shard count, each part once, none missing; `cells` is the
 * matrix rebuilt from the first shard's description. Errors are InputErrors naming the file.
 */
export function mergeShards(inputs: readonly ShardInput[], cells: readonly Cell[]): {results: CellResult[]; runs: number} {
  const [first] = inputs
  const matrix = JSON.stringify(first.shard.matrix)
  const byIndex = new Map<number, ShardInput>()
  for (const input of inputs) {
    const {index, count} = input.shard
    if (count !== first.shard.count) throw new InputError(`${input.file}: shard ${index}/${count}, but ${first.file} is shard ${first.shard.index}/${first.shard.count}: shards of one split have the same N`)
    if (JSON.stringify(input.shard.matrix) !== matrix) {
      throw new InputError(`${input.file}: another matrix than ${first.file}'s (other scenarios, strategies, seeds, shaping flags or chooser): shards to merge come from one verify command`)
    }
    const twin = byIndex.get(index)
    if (twin) throw new InputError(`${input.file} and ${twin.file} are both shard ${index}/${count}: they overlap`)
    byIndex.set(index, input)
  }
  const missing = Array.from({length: first.shard.count}, (_, i) => i + 1).filter((index) => !byIndex.has(index))
  if (missing.length > 0) {
    throw new InputError(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${first.shard.count}`).join(', ')} missing: give every shard's --json`)
  }
  const tallies: CellTally[] = cells.map(() => emptyTally())
  for (const input of inputs) {
    const expected = shardParts(cells, input.shard)
    const parts = input.shard.parts
    const same = parts.length === expected.length && parts.every((p, i) => p.cell === expected[i].cell && p.seedStart === expected[i].seedStart && p.seeds === expected[i].seeds)
    if (!same) throw new InputError(`${input.file}: shard ${input.shard.index}/${input.shard.count}'s seeds do not fit its matrix (written by another racelab version?)`)
    for (const part of parts) {
      if (part.tally.runs !== part.seeds) throw new InputError(`${input.file}: cell ${part.cell} ran ${part.tally.runs} of its ${part.seeds} seeds`)
      tallies[part.cell] = mergeTallies(tallies[part.cell], part.tally)
    }
  }
  return {results: cells.map((cell) => cellResult(cell, tallies[cell.index])), runs: cells.reduce((sum, cell) => sum + cell.seeds, 0)}
}
