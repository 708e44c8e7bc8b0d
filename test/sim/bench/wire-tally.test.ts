import {describe, expect, it} from 'vitest'

import {WireCounter, type CountedMessage} from '../../../src/sim/bench/wire-tally.js'

const at = (partition: number, offset: number, row: string, topic = 't'): CountedMessage => ({topic, partition, offset, headers: {outbox_row: row}})

describe('WireCounter: the soak counts the wire against the outbox rows', () => {
  it('every row once: no duplicates, nothing missing', () => {
    // Given
    const counter = new WireCounter(['bos', 'file'], 10)
    // When
    counter.add(at(0, 0, 'bos:1'))
    counter.add(at(0, 1, 'file:1'))
    counter.add(at(1, 0, 'file:2'))
    // Then
    expect(counter.tally({bos: 1, file: 2})).toEqual({messages: 3, rowsSeen: 3, duplicates: 0, missing: 0, foreign: 0, maxCopies: 1, unread: 0})
  })

  it('a re-sent row is a duplicate; a row never read is missing', () => {
    const counter = new WireCounter(['file'], 10)
    counter.add(at(0, 0, 'file:1'))
    counter.add(at(0, 1, 'file:1'))
    counter.add(at(0, 2, 'file:1'))
    counter.add(at(1, 0, 'file:3'))
    expect(counter.tally({file: 3})).toMatchObject({messages: 4, rowsSeen: 2, duplicates: 2, missing: 1, maxCopies: 3})
  })

  it('an offset read again (a consumer that rejoined before its commit) counts once', () => {
    const counter = new WireCounter(['file'], 10)
    counter.add(at(0, 0, 'file:1'))
    counter.add(at(0, 1, 'file:2'))
    counter.add(at(0, 0, 'file:1'))
    expect(counter.tally({file: 2})).toMatchObject({messages: 2, duplicates: 0})
  })

  it('offsets jumped over (dropped by the broker before they were read) are unread, per partition', () => {
    const counter = new WireCounter(['file'], 10)
    counter.add(at(0, 3, 'file:1'))
    counter.add(at(1, 0, 'file:2'))
    counter.add(at(1, 5, 'file:3'))
    expect(counter.tally({file: 3}).unread).toBe(3 + 4)
  })

  it('messages naming no committed row are foreign, never counted as rows', () => {
    const counter = new WireCounter(['file'], 10)
    counter.add({topic: 't', partition: 0, offset: 0, headers: {}})
    counter.add(at(0, 1, 'els:1'))
    counter.add(at(0, 2, 'file:x'))
    counter.add(at(0, 3, 'file:01'))
    counter.add(at(0, 4, 'file:9'))
    expect(counter.tally({file: 2})).toMatchObject({messages: 5, rowsSeen: 0, duplicates: 0, missing: 2, foreign: 5})
  })

  it('reached: every partition read up to its high watermark', () => {
    const counter = new WireCounter(['file'], 10)
    counter.add(at(0, 0, 'file:1'))
    counter.add(at(0, 1, 'file:2'))
    expect(counter.reached(new Map([['t/0', 2]]))).toBe(true)
    expect(counter.reached(new Map([['t/0', 2], ['t/1', 1]]))).toBe(false)
    expect(counter.reached(new Map([['t/0', 3]]))).toBe(false)
  })
})
