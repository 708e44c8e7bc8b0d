import {describe, expect, it} from 'vitest'

import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import {toRunOptions} from '../../../src/sim/verify/run-spec.js'
import {planChunks, runChunk} from '../../../src/sim/verify/chunk.js'
import {buildCells, type Cell} from '../../../src/sim/verify/matrix.js'
import {mergeChunks, verifyMatrix} from '../../../src/sim/verify/verify-matrix.js'

/** random × naive fails on some seeds only: a mix of passing and failing seeds across chunks. */
function cells(seeds: number): Cell[] {
  return buildCells(
    [{scenarios: ['random', 'content-first'], strategies: ['naive', 'buffer'], seedStart: 1, seeds, shape: {'els-instances': 1}}],
    () => ({options: {}, args: []}),
  )
}

/** A deterministic shuffle (no Math.random in tests). */
function permute<T>(items: readonly T[], step: number): T[] {
  const out: T[] = []
  for (let i = 0; i < items.length; i++) out.push(items[(i * step) % items.length])
  return out
}

describe('merging chunk results', () => {
  it('gives the same cell results whatever order the chunks finished in', () => {
    // Given every chunk's tally
    const matrix = cells(12)
    const chunks = planChunks(matrix, 5)
    const tallies = chunks.map(runChunk)
    const inOrder = mergeChunks(matrix, chunks, tallies)
    // When the same chunks arrive in other orders
    const orders = [7, 11, 13].map((step) => {
      const order = permute(chunks.map((_, i) => i), step)
      expect(new Set(order).size).toBe(chunks.length)
      return mergeChunks(matrix, order.map((i) => chunks[i]), order.map((i) => tallies[i]))
    })
    // Then
    for (const results of orders) expect(results).toEqual(inOrder)
    expect(inOrder.find((r) => r.cell.scenario === 'random' && r.cell.strategy === 'naive')!.tally.failures).toBeGreaterThan(0)
  })

  it('gives the same cell results whatever the chunk size', () => {
    // Given
    const matrix = cells(12)
    const bySize = [1, 5, 12].map((size) => {
      const chunks = planChunks(matrix, size)
      return mergeChunks(matrix, chunks, chunks.map(runChunk))
    })
    // Then
    expect(bySize[1]).toEqual(bySize[0])
    expect(bySize[2]).toEqual(bySize[0])
  })

  it('tallies exactly what runSimulation says for each seed', () => {
    // Given
    const matrix = cells(12)
    const randomNaive = matrix.find((c) => c.scenario === 'random' && c.strategy === 'naive')!
    const failing = Array.from({length: 12}, (_, i) => i + 1).filter(
      (seed) => runSimulation(toRunOptions({scenario: 'random', strategy: 'naive', seed})).result.verdict === 'fail',
    )
    // When
    const chunks = planChunks([randomNaive], 5)
    const [result] = mergeChunks([randomNaive], chunks, chunks.map(runChunk))
    // Then
    expect(chunks.map((c) => [c.seedFrom, c.seeds])).toEqual([[1, 5], [6, 5], [11, 2]])
    expect(result.tally.runs).toBe(12)
    expect(result.tally.failures).toBe(failing.length)
    expect(result.tally.firstFailure?.seed).toBe(failing[0])
    expect(result.reproduce).toBe(`racelab run --scenario random --strategy naive --seed ${failing[0]}`)
  })
})

describe('verifyMatrix', () => {
  it('runs in process and on worker threads to the same outcome, with progress up to every run', async () => {
    // Given
    const matrix = cells(6)
    const seen: string[] = []
    // When
    const inProcess = await verifyMatrix(matrix, {workers: 1, shrink: true, chunkSize: 4})
    const threaded = await verifyMatrix(matrix, {workers: 2, shrink: true, chunkSize: 2, onProgress: (p) => seen.push(`${p.runs}/${p.totalRuns} ${p.cellsDone}`)})
    // Then
    expect(threaded.results).toEqual(inProcess.results)
    expect(threaded.verdict).toBe(inProcess.verdict)
    expect(threaded.counterexamples.map((c) => [c.result.cell.index, c.counterexample.invariant, c.counterexample.explanation])).toEqual(
      inProcess.counterexamples.map((c) => [c.result.cell.index, c.counterexample.invariant, c.counterexample.explanation]),
    )
    expect(seen).toHaveLength(matrix.length * 3)
    expect(seen[seen.length - 1]).toBe(`24/24 ${matrix.length}`)
  })

  it('passes when every cell matches, with a counterexample for each cell that failed (expected or not)', async () => {
    // When
    const outcome = await verifyMatrix(cells(4), {workers: 1, shrink: true})
    // Then
    expect(outcome.verdict).toBe('pass')
    expect(outcome.runs).toBe(16)
    const withFailures = outcome.results.filter((r) => r.tally.failures > 0).map((r) => r.cell.index)
    expect(outcome.counterexamples.map((c) => c.result.cell.index)).toEqual(withFailures)
    expect(withFailures.length).toBeGreaterThan(0)
  })

  it('skips counterexamples when shrinking is off', async () => {
    const outcome = await verifyMatrix(cells(2), {workers: 1, shrink: false})
    expect(outcome.counterexamples).toEqual([])
  })
})
