import Database from 'better-sqlite3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {envelopeJson, eventIdOf} from '../../../src/sim/domain/envelope.js'
import {parseEnvelope} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {SeededRng} from '../../../src/sim/kernel/rng.js'
import {ms, SECOND, type Micros} from '../../../src/sim/kernel/time.js'
import {Outbox, OUTBOX_SCHEMA} from '../../../src/sim/outbox/outbox.js'
import {DEFAULT_POLL_INTERVAL, idleWait, nextIdlePoll, Relay} from '../../../src/sim/services/relay.js'

describe('idleWait', () => {
  it.each([
    [1, ms(100)],
    [2, ms(100)],
    [3, ms(100)],
    [4, SECOND],
    [10, SECOND],
    [11, 5 * SECOND],
    [500, 5 * SECOND],
  ])('after empty poll %i waits %i us (poll interval 5 s)', (emptyPolls, expected) => {
    // Given / When
    const wait = idleWait(emptyPolls, 5 * SECOND)

    // Then
    expect(wait).toBe(expected)
  })

  it('uses the configured interval only after the warm-up', () => {
    // Given / When / Then
    expect(idleWait(10, ms(100))).toBe(SECOND)
    expect(idleWait(11, ms(100))).toBe(ms(100))
    expect(DEFAULT_POLL_INTERVAL).toBe(ms(100))
  })
})

/** The rule of docs/domain.md#the-outbox-and-its-relay, written independently of idleWait. */
function waitAfter(emptyPolls: number, pollInterval: Micros): Micros {
  if (emptyPolls <= 3) return 100_000
  if (emptyPolls <= 10) return 1_000_000
  return pollInterval
}

/** Simulates every empty poll: the first poll at or after `time`, and how many empty polls preceded it. */
function bruteForce(lastPoll: Micros, emptyPolls: number, time: Micros, pollInterval: Micros): {at: Micros; emptyPolls: number} {
  let at = lastPoll
  let polls = emptyPolls
  for (;;) {
    const next = at + waitAfter(polls, pollInterval)
    if (next >= time) return {at: next, emptyPolls: polls}
    at = next // this poll found nothing too
    polls++
  }
}

describe('nextIdlePoll', () => {
  it('equals a brute-force simulation of successive empty polls for many inputs', () => {
    // Given random inputs, drawn from a fixed seed
    const rng = new SeededRng(2024)
    const intervals = [ms(10), ms(100), SECOND, 5 * SECOND, ms(333), ms(1700)]
    const mismatches: string[] = []
    let cases = 0

    // When
    for (let i = 0; i < 3000; i++) {
      const lastPoll = rng.int(0, 20 * SECOND)
      const emptyPolls = rng.int(1, 30)
      const time = lastPoll + rng.int(-SECOND, 60 * SECOND)
      const pollInterval = i % 4 === 0 ? rng.int(ms(10), 10 * SECOND) : intervals[rng.int(0, intervals.length - 1)]
      const expected = bruteForce(lastPoll, emptyPolls, time, pollInterval)
      const actual = nextIdlePoll(lastPoll, emptyPolls, time, pollInterval)
      cases++
      if (actual.at !== expected.at || actual.emptyPolls !== expected.emptyPolls) {
        mismatches.push(`${JSON.stringify({lastPoll, emptyPolls, time, pollInterval})}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
      }
    }

    // Then
    expect(cases).toBe(3000)
    expect(mismatches.slice(0, 5)).toEqual([])
  })

  it('equals brute force when the time falls exactly on a poll, and just after one', () => {
    // Given every poll time of a warm-up from lastPoll 0 and, past it, of the steady interval
    const pollInterval = ms(700)
    const pollTimes: Micros[] = []
    let at = 0
    for (let polls = 1; polls <= 20; polls++) {
      at += waitAfter(polls, pollInterval)
      pollTimes.push(at)
    }
    const times = pollTimes.flatMap((t) => [t - 1, t, t + 1])

    // When
    const results = times.map((time) => [nextIdlePoll(0, 1, time, pollInterval), bruteForce(0, 1, time, pollInterval)])

    // Then
    for (const [actual, expected] of results) expect(actual).toEqual(expected)
    expect(nextIdlePoll(0, 1, pollTimes[5], pollInterval).at).toBe(pollTimes[5])
  })

  it('equals brute force when the relay is already past the warm-up or the time lies in the past', () => {
    // Given inputs with emptyPolls > 10, and times at or before lastPoll
    const inputs: [Micros, number, Micros, Micros][] = [
      [SECOND, 11, SECOND, 5 * SECOND],
      [SECOND, 15, 0, 5 * SECOND],
      [SECOND, 15, 30 * SECOND, 5 * SECOND],
      [SECOND, 1, 0, 5 * SECOND],
      [SECOND, 3, SECOND, ms(100)],
      [0, 10, 1, ms(100)],
      [0, 11, 1, ms(100)],
    ]

    // When / Then
    for (const [lastPoll, emptyPolls, time, pollInterval] of inputs) {
      expect(nextIdlePoll(lastPoll, emptyPolls, time, pollInterval)).toEqual(bruteForce(lastPoll, emptyPolls, time, pollInterval))
    }
  })

  it('matches the documented schedule from a fresh empty poll at 0', () => {
    // Given a relay that just made its first empty poll at 0, 5 s production interval
    // When asking for the next poll at or after 4 s
    const next = nextIdlePoll(0, 1, 4 * SECOND, 5 * SECOND)

    // Then: polls at 0.1, 0.2, 0.3 (then 1 s waits) 1.3, 2.3, ... 7.3, then 12.3 s
    expect(next).toEqual({at: 4_300_000, emptyPolls: 7})
    expect(nextIdlePoll(0, 1, 8 * SECOND, 5 * SECOND)).toEqual({at: 12_300_000, emptyPolls: 11})
  })
})

describe('Relay', () => {
  let db: Database.Database
  let outbox: Outbox
  let relay: Relay
  const envelopeIds = new IdSource(10)

  beforeEach(() => {
    db = new Database(':memory:')
    db.exec(OUTBOX_SCHEMA)
    outbox = new Outbox(db)
    relay = new Relay('bos', outbox, new IdSource(20))
  })

  afterEach(() => {
    db.close()
  })

  function addRegistration(batch: string): number {
    return outbox.add(
      {
        aggregateId: batch,
        aggregateType: 'batch',
        eventType: TOPICS.batchEssaysRegistered,
        topic: TOPICS.batchEssaysRegistered,
        key: batch,
        eventData: envelopeJson(
          TOPICS.batchEssaysRegistered,
          {batch_id: batch, expected_essay_count: 1, essay_ids: [`${batch}-e1`], course_code: 'ENG5', user_id: 'u'},
          {eventId: envelopeIds.eventId(), at: 0, source: 'bos', correlationId: `corr-${batch}`},
        ),
      },
      0,
    )
  }

  it('recordFor gives a NEW event id each time, but otherwise the same envelope', () => {
    // Given one outbox row
    addRegistration('b1')
    const [row] = relay.poll()

    // When the row is published twice (a re-send)
    const first = relay.recordFor(row)
    const second = relay.recordFor(row)

    // Then the event ids differ from each other and from the stored one
    const stored = eventIdOf(row.event_data)
    const ids = [stored, eventIdOf(first.value), eventIdOf(second.value)]
    expect(new Set(ids).size).toBe(3)
    expect(first.headers).toEqual({event_id: eventIdOf(first.value), event_type: TOPICS.batchEssaysRegistered, outbox_row: `bos:${row.id}`})
    expect(second.headers.event_id).toBe(eventIdOf(second.value))
    // And both name the one row they come from: a re-send, not a second event
    expect(second.headers.outbox_row).toBe(first.headers.outbox_row)

    // And everything else is unchanged
    const strip = (json: string): unknown => ({...(JSON.parse(json) as object), event_id: 'x'})
    expect(strip(first.value)).toEqual(strip(row.event_data))
    expect(strip(second.value)).toEqual(strip(row.event_data))
    expect(parseEnvelope(first.value).ok).toBe(true)
    expect(parseEnvelope(second.value).ok).toBe(true)
    expect([first.topic, first.key]).toEqual([TOPICS.batchEssaysRegistered, 'b1'])
    expect([second.topic, second.key]).toEqual([TOPICS.batchEssaysRegistered, 'b1'])
  })

  it('poll returns unpublished rows; published() and failed() update the outbox', () => {
    // Given two rows
    const a = addRegistration('b1')
    const b = addRegistration('b2')

    // When
    const polled = relay.poll().map((row) => row.id)
    relay.published(relay.poll()[0], 100)
    const [rowB] = relay.poll()
    relay.failed(rowB, 'broker down')

    // Then
    expect(polled).toEqual([a, b])
    expect(relay.poll()).toEqual([expect.objectContaining({id: b, retry_count: 1})])
    expect(outbox.countUnpublished()).toBe(1)
    expect(relay.service).toBe('bos')
  })
})
