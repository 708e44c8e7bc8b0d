import type {Expectation} from '../scenario/scenario.js'
import type {Cell} from './matrix.js'

/**
 * The live matrix for a consumer that runs elsewhere (`verify --kafka --els external`,
 * docs/black-box.md): racelab runs only the producers, and naive and buffer publish alike, so each
 * scenario runs once (labelled buffer, the producers' layout both share). The consumer declares
 * nothing: every cell is expected to pass, unless `--expect` says otherwise.
 */
export function externalCells(cells: readonly Cell[], declared?: ReadonlyMap<string, Expectation>): Cell[] {
  const seen = new Set<string>()
  const result: Cell[] = []
  for (const cell of cells) {
    const key = JSON.stringify([cell.label, cell.scenario, cell.seedStart, cell.seeds, cell.shape.args])
    if (seen.has(key)) continue
    seen.add(key)
    result.push({...cell, index: result.length, strategy: 'buffer', expectation: declared?.get(cell.scenario) ?? {outcome: 'pass'}})
  }
  return result
}
