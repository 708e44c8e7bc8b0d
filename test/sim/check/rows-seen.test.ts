import {describe, expect, it} from 'vitest'

import {RowsSeen} from '../../../src/sim/check/rows-seen.js'
import {rowNumber, rowService} from '../../../src/sim/check/outbox-row.js'

const firstTime = (seen: RowsSeen, header: string): boolean => seen.first(header, rowService(header)!, rowNumber(header)!)

describe('RowsSeen', () => {
  it('meets each row once, and two services’ rows of one id apart', () => {
    // Given
    const seen = new RowsSeen()
    // When / Then
    expect(['bos:1', 'file:1', 'file:0', 'file:1', 'bos:1', 'file:0'].map((h) => firstTime(seen, h))).toEqual([true, true, true, false, false, false])
  })

  it('keeps every row as its bitmap grows, far past its first size', () => {
    // Given rows met out of order, across many growths
    const seen = new RowsSeen()
    const rows = [5, 100_000, 511, 512, 7, 3_000_000, 515, 1]
    // When they are met twice
    const first = rows.map((row) => firstTime(seen, `els:${row}`))
    const again = rows.map((row) => firstTime(seen, `els:${row}`))
    // Then
    expect(first.every(Boolean)).toBe(true)
    expect(again.some(Boolean)).toBe(false)
    expect(firstTime(seen, 'els:4')).toBe(true)
    expect(firstTime(seen, 'els:2999999')).toBe(true)
  })

  it('tells two spellings of one id apart, as a set of headers does', () => {
    // Given headers a producer of the user's own might write
    const seen = new RowsSeen()
    // When / Then
    expect(['file:7', 'file:07', 'file:7.0', 'file:07'].map((h) => firstTime(seen, h))).toEqual([true, true, true, false])
  })

  it('keeps a row beyond the bitmaps’ reach, whole', () => {
    // Given an id larger than any bitmap is allowed to grow to
    const seen = new RowsSeen()
    const huge = `file:${2 ** 40}`
    // When / Then
    expect(firstTime(seen, huge)).toBe(true)
    expect(firstTime(seen, huge)).toBe(false)
    expect(firstTime(seen, `file:${2 ** 40 + 1}`)).toBe(true)
  })
})
