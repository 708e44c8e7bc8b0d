import {describe, expect, it} from 'vitest'

import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {decodeSchedule, encodeSchedule} from '../../../src/sim/kernel/schedule.js'

describe('encodeSchedule / decodeSchedule', () => {
  it('encodes as comma-separated base-36 numbers', () => {
    // Given
    const schedule = [1, 0, 10, 35, 36, 1295]

    // When
    const text = encodeSchedule(schedule)

    // Then
    expect(text).toBe('1,0,a,z,10,zz')
  })

  it('encodes a long schedule, a part at a time, exactly as one join would', () => {
    // Given schedules on both sides of the parts' boundaries (4,096 values a part)
    for (const length of [4095, 4096, 4097, 8192, 8193, 20_000]) {
      const schedule = Array.from({length}, (_, i) => (i * 7919) % 1297)

      // When
      const text = encodeSchedule(schedule)

      // Then no comma is lost or doubled where parts meet
      expect(text).toBe(schedule.map((value) => value.toString(36)).join(','))
      expect(decodeSchedule(text)).toEqual(schedule)
    }
  })

  it('round-trips a recorded schedule', () => {
    // Given a schedule recorded from many seeded choices
    const chooser = new Chooser(seededSource(8))
    for (let i = 0; i < 300; i++) chooser.pick(2 + (i % 50))

    // When
    const decoded = decodeSchedule(encodeSchedule(chooser.schedule))

    // Then
    expect(decoded).toEqual(chooser.schedule)
  })

  it('round-trips the empty schedule', () => {
    // Given / When
    const text = encodeSchedule([])

    // Then
    expect(text).toBe('')
    expect(decodeSchedule(text)).toEqual([])
  })

  it('decodes blank text as an empty schedule and tolerates spaces around items', () => {
    // Given / When / Then
    expect(decodeSchedule('   ')).toEqual([])
    expect(decodeSchedule(' 1 , a ,z')).toEqual([1, 10, 35])
  })

  it.each([
    ['1,,2', 2, ''],
    ['1,2,', 3, ''],
    ['1,-2', 2, '-2'],
    ['1,A', 2, 'A'],
    ['x y', 1, 'x y'],
    ['1.5', 1, '1.5'],
    ['1,2,#', 3, '#'],
  ])('rejects %j, naming item %i', (text, item, part) => {
    // Given a malformed schedule text
    // When
    const decode = (): number[] => decodeSchedule(text)

    // Then it throws a RangeError naming the item and what it was
    expect(decode).toThrow(RangeError)
    expect(decode).toThrow(`schedule item ${item} is "${part}", expected a base-36 number`)
  })
})
