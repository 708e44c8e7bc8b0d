import {describe, expect, it} from 'vitest'

import {isoAt, microsAt, SECOND} from '../../../src/sim/kernel/time.js'

describe('isoAt', () => {
  const viaDate = (t: number): string => new Date(Date.UTC(2026, 0, 1) + Math.floor(t / 1000)).toISOString()

  it('writes what Date.toISOString writes, across days, years and every millisecond width', () => {
    // Given instants from the epoch to a century on, sub-millisecond ones included, out of order
    const day = 86_400 * SECOND
    const instants = [0, 1, 999, 1000, 1999, 9_000, 99_000, 999_999, SECOND, 59 * SECOND, 3_599 * SECOND, day - 1, day, day + 1, 365 * day, 100 * 365 * day, 3 * day + 7]
    for (let i = 1; i <= 2000; i++) instants.push((i * 7_919_993_117) % (800 * day))

    // Then
    for (const t of instants) expect(isoAt(t)).toBe(viaDate(t))
  })

  it('round-trips through microsAt to the millisecond', () => {
    // Given
    const t = 12 * 3_600 * SECOND + 34 * SECOND + 567_890

    // Then
    expect(microsAt(isoAt(t))).toBe(t - 890)
  })
})
