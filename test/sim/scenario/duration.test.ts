import {describe, expect, it} from 'vitest'

import {SeededRng} from '../../../src/sim/kernel/rng.js'
import {formatDuration, MAX_DURATION, parseDuration} from '../../../src/sim/scenario/duration.js'

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['250us', 250],
    ['5ms', 5_000],
    ['1.5s', 1_500_000],
    ['2m', 120_000_000],
    ['24h', 86_400_000_000],
    ['2S', 2_000_000],
    [' 2s ', 2_000_000],
    ['720h', MAX_DURATION],
    ['30.0000h', 108_000_000_000],
  ])('%j is %i µs', (text, micros) => {
    // Given / When
    const parsed = parseDuration(text)

    // Then
    expect(parsed).toEqual({ok: true, value: micros})
  })

  it.each([
    ['500', /has no unit/],
    ['1.5', /has no unit/],
    ['2x', /unknown unit "x"/],
    ['2 s', /is not a duration/],
    ['-2s', /is not a duration/],
    ['abc', /is not a duration/],
    ['', /is not a duration/],
    ['720.001h', /is too long: a duration is at most 30 days/],
    ['1000h', /is too long/],
    ['9007199254740993us', /is too long/],
    [`${'9'.repeat(400)}h`, /is too long/],
    ['Infinity', /is not a duration/],
    ['NaN', /is not a duration/],
    ['1e3s', /is not a duration/],
    ['1constructor', /unknown unit "constructor"/],
    ['1__proto__', /is not a duration/],
    ['1toString', /unknown unit "toString"/],
  ])('refuses %j in one line', (text, message) => {
    // Given / When
    const parsed = parseDuration(text)

    // Then
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error).toMatch(message)
    expect(parsed.error).not.toContain('\n')
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [1, '1us'],
    [999, '999us'],
    [1_000, '1ms'],
    [1_500, '1.5ms'],
    [1_000_000, '1s'],
    [1_500_000, '1.5s'],
    [90_000_000, '1.5m'],
    [3_600_000_000, '1h'],
    [86_400_000_000, '24h'],
    [1_234_567, '1234.567ms'],
  ])('%i µs is %j, the shortest exact rendering', (micros, text) => {
    // Given / When / Then
    expect(formatDuration(micros)).toBe(text)
  })

  it('round-trips through parseDuration for any whole number of microseconds', () => {
    // Given
    const rng = new SeededRng(7)
    const values = Array.from({length: 500}, () => [
      rng.int(0, 1_000),
      rng.int(0, 1e6),
      rng.int(0, 2 ** 31),
      rng.int(0, 1_000) * 1_000,
      rng.int(0, 100) * 3_600_000_000,
    ]).flat()

    // When
    const broken = values.filter((value) => {
      const parsed = parseDuration(formatDuration(value))
      return !parsed.ok || parsed.value !== value
    })

    // Then
    expect(broken).toEqual([])
  })

  it('round-trips the other way for text already in shortest form', () => {
    // Given
    const texts = ['0', '250us', '5ms', '1.5ms', '2s', '1.5s', '2m', '24h']

    // When / Then
    for (const text of texts) {
      const parsed = parseDuration(text)
      expect(parsed.ok && formatDuration(parsed.value)).toBe(text)
    }
  })
})
