import {describe, expect, it} from 'vitest'

import {seedSlices, timedPasses} from '../../../src/sim/bench/timed-passes.js'

describe('seedSlices', () => {
  it.each([
    [10, 5, [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]],
    [7, 3, [[1, 2], [3, 4], [5, 7]]],
    [2, 5, [[1, 1], [2, 2]]],
    [1, 1, [[1, 1]]],
  ])('splits seeds 1..%i into %i consecutive slices, each seed once', (count, passes, expected) => {
    // Given / When
    const slices = seedSlices(count, passes)

    // Then
    expect(slices.map((s) => [s.from, s.to])).toEqual(expected)
  })
})

describe('timedPasses', () => {
  it('runs each pass once, in order, and times each one', () => {
    // Given
    const ran: number[] = []

    // When
    const times = timedPasses(3, (i) => ran.push(i))

    // Then
    expect(ran).toEqual([0, 1, 2])
    expect(times.wall).toHaveLength(3)
    for (const t of times.wall) expect(t).toBeGreaterThanOrEqual(0)
    expect(times.cpu).toBeGreaterThanOrEqual(0)
  })
})
