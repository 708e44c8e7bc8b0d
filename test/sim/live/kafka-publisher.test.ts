import Database from 'better-sqlite3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {BusRecord, ProduceAck} from '../../../src/sim/bus/bus.js'
import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {ms} from '../../../src/sim/kernel/time.js'
import {WallClock} from '../../../src/sim/live/clock.js'
import {KafkaPublisher, type BatchPublisher} from '../../../src/sim/live/kafka-publisher.js'
import {RelayLoop} from '../../../src/sim/process/relay-loop.js'
import {Outbox, OUTBOX_SCHEMA} from '../../../src/sim/outbox/outbox.js'
import {Relay} from '../../../src/sim/services/relay.js'
import {fixed} from '../../../src/sim/scenario/delay.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

/** A broker that refuses the first `failures` requests, then acks everything in order. */
class FlakyBroker implements BatchPublisher {
  readonly received: BusRecord[] = []
  requests = 0

  constructor(private failures: number) {}

  async produceBatch(records: readonly BusRecord[]): Promise<ProduceAck[]> {
    this.requests++
    if (this.failures > 0) {
      this.failures--
      throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092')
    }
    return records.map((record) => {
      this.received.push(record)
      return {topic: record.topic, partition: 0, offset: this.received.length - 1}
    })
  }
}

function addRows(outbox: Outbox, ids: IdSource, n: number): void {
  for (let i = 0; i < n; i++) {
    const batchId = `b${i + 1}`
    outbox.add(
      {
        aggregateId: batchId,
        aggregateType: 'batch',
        eventType: TOPICS.batchEssaysRegistered,
        topic: TOPICS.batchEssaysRegistered,
        key: batchId,
        eventData: envelopeJson(
          TOPICS.batchEssaysRegistered,
          {batch_id: batchId, expected_essay_count: 1, essay_ids: [`${batchId}-e1`], course_code: 'C', user_id: 'u'},
          {eventId: ids.eventId(), at: 0, source: 'bos', correlationId: `corr-${batchId}`},
        ),
      },
      0,
    )
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((done) => setTimeout(done, 5))
  }
}

describe('RelayLoop over the KafkaPublisher (wall clock, a broker at the BatchPublisher seam)', () => {
  let db: Database.Database
  let outbox: Outbox
  let clock: WallClock
  const ids = new IdSource(3)
  const trace: TraceEvent[] = []

  beforeEach(() => {
    db = new Database(':memory:')
    db.exec(OUTBOX_SCHEMA)
    outbox = new Outbox(db)
    clock = new WallClock()
    trace.length = 0
  })

  afterEach(() => {
    clock.stop()
    db.close()
  })

  const relayOver = (broker: BatchPublisher, crashPercent = 0): RelayLoop => {
    const chooser = new Chooser(seededSource(1))
    return new RelayLoop({
      clock,
      chooser,
      relay: new Relay('bos', outbox, ids),
      publisher: new KafkaPublisher(broker, clock),
      settings: () => ({publishDelay: fixed(0), pollInterval: ms(100), wake: true}),
      transaction: (work) => db.transaction(work)(),
      crashAfterPublish: () => chooser.percent(crashPercent),
      trace: (event) => trace.push(event),
    })
  }

  it('a failing broker: rows stay unpublished with retry_count and last_error, then go out once it answers', async () => {
    // Given: 3 committed rows and a broker that refuses two requests
    addRows(outbox, ids, 3)
    const broker = new FlakyBroker(2)
    const relay = relayOver(broker)

    // When
    relay.rowCommitted('bos')
    await until(() => broker.requests >= 2)
    const afterFailures = db.prepare('SELECT published_at, retry_count, last_error FROM outbox ORDER BY id').all()
    await until(() => outbox.countUnpublished() === 0)
    relay.stop()

    // Then: while the broker refused, nothing was marked published and every failure was recorded
    for (const row of afterFailures as {published_at: number | null; retry_count: number; last_error: string}[]) {
      expect(row.published_at).toBeNull()
      expect(row.retry_count).toBeGreaterThanOrEqual(1)
      expect(row.last_error).toContain('ECONNREFUSED')
    }
    // And the relay reported every failure with its back-off, then published all three, in order
    const failed = trace.filter((e) => e.ev === 'publish-failed')
    expect(failed.length).toBe(6)
    expect(failed.map((e) => (e.ev === 'publish-failed' ? e.retryIn : 0))).toEqual([ms(100), ms(100), ms(100), ms(200), ms(200), ms(200)])
    expect(broker.received.map((r) => r.key)).toEqual(['b1', 'b2', 'b3'])
    expect(relay.published).toBe(3)
    expect(relay.failures).toBe(6)
  })

  it('rows that keep failing stop being retried after 5 failures and keep their last error', async () => {
    // Given: a broker that never answers
    addRows(outbox, ids, 1)
    const broker = new FlakyBroker(Number.MAX_SAFE_INTEGER)
    const relay = relayOver(broker)

    // When: the relay tries until the row has exhausted its retries (back-off 0.1+0.2+0.4+0.8 s)
    relay.rowCommitted('bos')
    await until(() => (db.prepare('SELECT retry_count FROM outbox').pluck().get() as number) >= 5)
    await new Promise((done) => setTimeout(done, 300))
    relay.stop()

    // Then
    expect(db.prepare('SELECT published_at, retry_count, last_error FROM outbox').get()).toEqual({
      published_at: null,
      retry_count: 5,
      last_error: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    })
    expect(broker.requests).toBe(5)
    // And the relay said so, once, at the fifth failure
    const givenUp = trace.filter((e) => e.ev === 'publish-given-up')
    expect(givenUp).toEqual([expect.objectContaining({svc: 'bos-relay', row: 1, attempts: 5, error: expect.stringContaining('ECONNREFUSED')})])
    expect(trace.indexOf(givenUp[0])).toBe(trace.length - 1)
  })

  it('a notification wakes an idle relay: a row committed later is published', async () => {
    // Given: an idle relay
    const broker = new FlakyBroker(0)
    const relay = relayOver(broker)
    relay.rowCommitted('bos')
    await new Promise((done) => setTimeout(done, 20))

    // When
    addRows(outbox, ids, 1)
    relay.rowCommitted('bos')
    await until(() => outbox.countUnpublished() === 0)
    relay.stop()

    // Then: published with a new event id in the value and in the header
    expect(broker.received).toHaveLength(1)
    const [record] = broker.received
    expect(record.headers.event_type).toBe(TOPICS.batchEssaysRegistered)
    expect(JSON.parse(record.value).event_id).toBe(record.headers.event_id)
  })

  it('relay-crash-after-publish: acked rows are not marked, so they are sent again with new event ids', async () => {
    // Given: every publish "crashes" after the ack
    addRows(outbox, ids, 1)
    const broker = new FlakyBroker(0)
    const relay = relayOver(broker, 100)

    // When: it publishes, crashes, restarts (0.5 s) and publishes again
    relay.rowCommitted('bos')
    await until(() => broker.received.length >= 2)
    relay.stop()

    // Then
    expect(outbox.countUnpublished()).toBe(1)
    expect(trace.some((e) => e.ev === 'relay-crashed')).toBe(true)
    const [first, second] = broker.received
    expect(first.key).toBe(second.key)
    expect(first.headers.event_id).not.toBe(second.headers.event_id)
  })
})
