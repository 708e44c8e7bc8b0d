import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {BusMessage} from '../../src/sim/bus/bus.js'
import {KafkajsBus} from '../../src/sim/bus/kafkajs-bus.js'
import {envelopeJson} from '../../src/sim/domain/envelope.js'
import {IdSource} from '../../src/sim/domain/ids.js'
import {TOPICS} from '../../src/sim/domain/topics.js'
import {Chooser, seededSource} from '../../src/sim/kernel/chooser.js'
import {ms} from '../../src/sim/kernel/time.js'
import {WallClock} from '../../src/sim/live/clock.js'
import {KafkaPublisher} from '../../src/sim/live/kafka-publisher.js'
import {RelayLoop} from '../../src/sim/process/relay-loop.js'
import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {Outbox, OUTBOX_SCHEMA} from '../../src/sim/outbox/outbox.js'
import {Relay} from '../../src/sim/services/relay.js'
import {fixed} from '../../src/sim/scenario/delay.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {hasKcat, kcatValues, startCluster} from './support.js'

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((done) => setTimeout(done, 10))
  }
}

describe.skipIf(!hasKcat)('KafkajsBus on a local mock cluster', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('produces keyed records with headers, acks=all, and a manual-commit group reads them back', async () => {
    // Given
    const prefix = `bus-test-${process.pid}-`
    const bus = new KafkajsBus({brokers: cluster.servers.split(','), topicPrefix: prefix})
    try {
      const info = await bus.connect()
      expect(info.adminUsable).toBe(false) // the mock cluster's controller is not one of its brokers
      const setup = await bus.ensureTopics(['t'], 3, info)
      expect(setup).toEqual({mode: 'auto-created', partitions: {t: 4}})

      // When: two records for one key and one for another, in one request
      const acks = await bus.produceBatch([
        {topic: 't', key: 'b1', value: 'one', headers: {event_id: 'e1', event_type: 'x'}},
        {topic: 't', key: 'b2', value: 'two', headers: {event_id: 'e2', event_type: 'x'}},
        {topic: 't', key: 'b1', value: 'three', headers: {event_id: 'e3', event_type: 'x'}},
      ])
      const received: BusMessage[] = []
      const subscription = await bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        autoCommit: false,
        handle: async (message, commit) => {
          received.push(message)
          await commit()
        },
      })
      await until(() => received.length === 3)
      await subscription.stop()

      // Then: one key, one partition, consecutive offsets; the consumer sees the logical topic
      expect(acks[0].partition).toBe(acks[2].partition)
      expect(acks[2].offset).toBe(acks[0].offset + 1)
      const byValue = new Map(received.map((m) => [m.value, m]))
      expect(byValue.get('three')).toMatchObject({topic: 't', key: 'b1', partition: acks[2].partition, offset: acks[2].offset})
      expect(byValue.get('two')?.headers).toEqual({event_id: 'e2', event_type: 'x'})
      // And the wire topic carries the prefix
      expect(await kcatValues(cluster.servers, `${prefix}t`)).toHaveLength(3)
    } finally {
      await bus.close()
    }
  })
})

describe.skipIf(!hasKcat)('a broker that dies mid-run', () => {
  it('the relay retries and reports; rows committed after the death stay unpublished', async () => {
    // Given: a cluster of its own, a relay that already published a row
    const cluster = await startCluster(1)
    const clock = new WallClock()
    const db = new Database(':memory:')
    db.exec(OUTBOX_SCHEMA)
    const outbox = new Outbox(db)
    const ids = new IdSource(5)
    const trace: TraceEvent[] = []
    const bus = new KafkajsBus({brokers: cluster.servers.split(','), topicPrefix: `death-${process.pid}-`, connectionTimeoutMs: 1000})
    const add = (batchId: string): void => {
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
        clock.now(),
      )
    }
    const relay = new RelayLoop({
      clock,
      chooser: new Chooser(seededSource(1)),
      relay: new Relay('bos', outbox, ids),
      publisher: new KafkaPublisher(bus, clock),
      settings: () => ({publishDelay: fixed(0), pollInterval: ms(100), wake: true}),
      crashAfterPublish: () => false,
      transaction: (work) => db.transaction(work)(),
      trace: (event) => trace.push(event),
    })
    try {
      await bus.connect()
      add('b1')
      relay.rowCommitted('bos')
      await until(() => outbox.countUnpublished() === 0)

      // When: the cluster goes away and two more rows are committed
      await cluster.stop()
      add('b2')
      add('b3')
      relay.rowCommitted('bos')
      await until(() => trace.filter((e) => e.ev === 'publish-failed').length >= 4)
      relay.stop()

      // Then: b1 stays published; b2 and b3 are unpublished, with retries and the error recorded
      const rows = db.prepare('SELECT aggregate_id, published_at, retry_count, last_error FROM outbox ORDER BY id').all() as {
        aggregate_id: string
        published_at: number | null
        retry_count: number
        last_error: string | null
      }[]
      expect(rows[0]).toMatchObject({aggregate_id: 'b1', retry_count: 0})
      expect(rows[0].published_at).not.toBeNull()
      for (const row of rows.slice(1)) {
        expect(row.published_at).toBeNull()
        expect(row.retry_count).toBeGreaterThanOrEqual(2)
        expect(row.last_error).toBeTruthy()
      }
      expect(relay.failures).toBeGreaterThanOrEqual(4)
    } finally {
      clock.stop()
      relay.stop()
      await bus.close()
      await cluster.stop()
      db.close()
    }
  })
})
