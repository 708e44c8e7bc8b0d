import {describe, expect, it} from 'vitest'

import type {BusMessage} from '../../../src/sim/bus/bus.js'
import {HandedOverLog} from '../../../src/sim/bus/handed-over-log.js'

const message = (offset: number, topic = 't'): BusMessage => ({topic, key: 'k', value: `v${offset}`, headers: {}, partition: 0, offset, appendedAt: offset})

describe('HandedOverLog', () => {
  it('counts without letting go, then hands every message out once, in order', () => {
    // Given a log of three messages on two topics
    const log = new HandedOverLog([message(0, 'a'), message(1, 'b'), message(2, 'a')])
    // When it is counted, then read
    const onA = log.count((m) => m.topic === 'a')
    const read = [...log].map((m) => m.value)
    // Then the count saw them all, and the read gave each once, in append order
    expect(onA).toBe(2)
    expect(log.length).toBe(3)
    expect(read).toEqual(['v0', 'v1', 'v2'])
  })

  it('lets each message go as it is read: a second read or a count after it is refused', () => {
    // Given a log read once
    const log = new HandedOverLog([message(0), message(1)])
    const iterator = log[Symbol.iterator]()
    iterator.next()
    // When / Then: nothing can read it again
    expect(() => [...log]).toThrow('the handed-over log was read already')
    expect(() => log.count(() => true)).toThrow('the handed-over log was read already')
  })
})
