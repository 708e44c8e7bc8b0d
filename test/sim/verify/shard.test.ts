import {describe, expect, it} from 'vitest'

import {buildCells, type Cell, type MatrixSpec} from '../../../src/sim/verify/matrix.js'
import {parseShard, shardCells, shardParts} from '../../../src/sim/verify/shard.js'
import {STRATEGY_NAMES} from '../../../src/sim/scenario/strategy.js'

const shape = {options: {}, args: []}
const spec = (seeds: number, seedStart = 1): MatrixSpec => ({scenarios: ['content-first', 'partial', 'random'], strategies: STRATEGY_NAMES, seedStart, seeds, shape: {'els-instances': 1}})
const cellsOf = (...specs: MatrixSpec[]): Cell[] => buildCells(specs, () => shape)

/** Every (cell, seed) a list of parts covers, in order. */
function runsOf(parts: readonly {cell: number; seedStart: number; seeds: number}[]): string[] {
  return parts.flatMap((p) => Array.from({length: p.seeds}, (_, i) => `${p.cell}:${p.seedStart + i}`))
}

describe('--shard K/N', () => {
  it.each([
    ['12 cells × 7 seeds', [spec(7)]],
    ['12 cells × 1 seed', [spec(1)]],
    ['two blocks, seeds from 100', [spec(5, 100), spec(3)]],
  ])('%s: the N shards together run every run of the matrix exactly once, in order', (_name, specs) => {
    // Given
    const cells = cellsOf(...specs)
    const whole = runsOf(cells.map((c) => ({cell: c.index, seedStart: c.seedStart, seeds: c.seeds})))
    for (const count of [1, 2, 3, 5, 7, 13, 40]) {
      // When
      const shards = Array.from({length: count}, (_, i) => runsOf(shardParts(cells, {index: i + 1, count})))

      // Then: the union is the whole, with no overlap, and the shards differ in size by at most 1
      expect(shards.flat()).toEqual(whole)
      expect(new Set(shards.flat()).size).toBe(whole.length)
      const sizes = shards.map((s) => s.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  })

  it('is deterministic: the same matrix and K/N give the same parts', () => {
    const cells = cellsOf(spec(9))
    expect(shardParts(cells, {index: 2, count: 4})).toEqual(shardParts(cellsOf(spec(9)), {index: 2, count: 4}))
  })

  it("a shard's cells are the matrix's cells with a part of their seeds, renumbered", () => {
    // Given
    const cells = cellsOf(spec(10))

    // When: 3 shards over 120 runs: 40 each, cutting cell 3 (runs 30..39) and cell 7
    const {cells: shard, parts} = shardCells(cells, {index: 2, count: 3})

    // Then
    expect(parts[0]).toEqual({cell: 4, seedStart: 1, seeds: 10})
    expect(shard.map((c) => c.index)).toEqual(parts.map((_, i) => i))
    expect(shard.map((c) => [c.scenario, c.strategy, c.seedStart, c.seeds])).toEqual(parts.map((p) => [cells[p.cell].scenario, cells[p.cell].strategy, p.seedStart, p.seeds]))
  })

  it.each([
    ['2/4', {ok: true, value: {index: 2, count: 4}}],
    [' 1 / 1 ', {ok: true, value: {index: 1, count: 1}}],
    ['0/3', {ok: false, error: '"0/3": K is from 1 to N (3)'}],
    ['4/3', {ok: false, error: '"4/3": K is from 1 to N (3)'}],
    ['1/0', {ok: false, error: '"1/0": N is from 1 to 1000'}],
    ['2', {ok: false, error: '"2" should be K/N, e.g. 2/4 (part K of N)'}],
  ])('parses %j', (text, parsed) => {
    expect(parseShard(text)).toEqual(parsed)
  })
})
