import {describe, expect, it} from 'vitest'

import {Chooser, replaySource, seededSource} from '../../../src/sim/kernel/chooser.js'
import {draw, fixed, maxOf, oneOf, range} from '../../../src/sim/scenario/delay.js'

describe('draw', () => {
  it('fixed: always the value, without a choice', () => {
    // Given
    const chooser = new Chooser(seededSource(1))

    // When
    const values = Array.from({length: 20}, () => draw(fixed(1234), chooser))

    // Then
    expect(new Set(values)).toEqual(new Set([1234]))
    expect(chooser.schedule).toEqual([])
  })

  it('range: stays within [min, max] and reaches both ends', () => {
    // Given
    const chooser = new Chooser(seededSource(2))

    // When
    const values = Array.from({length: 2000}, () => draw(range(100, 110), chooser))

    // Then
    expect(Math.min(...values)).toBe(100)
    expect(Math.max(...values)).toBe(110)
    expect(values.every(Number.isInteger)).toBe(true)
  })

  it('range: min == max is the value, without a choice', () => {
    // Given
    const chooser = new Chooser(seededSource(2))

    // When
    const value = draw(range(50, 50), chooser)

    // Then
    expect(value).toBe(50)
    expect(chooser.schedule).toEqual([])
  })

  it('range: replay 0 gives the minimum (the smallest delay)', () => {
    // Given / When
    const value = draw(range(300, 800), new Chooser(replaySource([0])))

    // Then
    expect(value).toBe(300)
  })

  it('one-of: only ever one of the values, each reachable', () => {
    // Given
    const chooser = new Chooser(seededSource(3))
    const delay = oneOf(0, 500, 1000, 2000)

    // When
    const values = new Set(Array.from({length: 500}, () => draw(delay, chooser)))

    // Then
    expect([...values].sort((a, b) => a - b)).toEqual([0, 500, 1000, 2000])
  })

  it('one-of: follows the chooser index', () => {
    // Given / When
    const value = draw(oneOf(7, 8, 9), new Chooser(replaySource([2])))

    // Then
    expect(value).toBe(9)
  })
})

describe('maxOf', () => {
  it('is the largest value a delay can take', () => {
    // Given / When / Then
    expect(maxOf(fixed(5))).toBe(5)
    expect(maxOf(range(1, 9))).toBe(9)
    expect(maxOf(oneOf(3, 11, 7))).toBe(11)
  })
})
