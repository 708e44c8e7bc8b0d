import {afterEach, describe, expect, it} from 'vitest'

import {parseEnvelope, type Envelope} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {SECOND} from '../../../src/sim/kernel/time.js'
import {Els} from '../../../src/sim/services/els.js'
import {STRATEGY_NAMES, type ElsStrategy} from '../../../src/sim/services/els-strategy.js'
import {Messages} from './messages.js'

const TIMEOUT = 60 * SECOND

const open: Els[] = []

function makeEls(strategy: ElsStrategy, timeout = TIMEOUT): Els {
  const els = new Els(strategy, new IdSource(5), timeout)
  open.push(els)
  return els
}

afterEach(() => {
  while (open.length > 0) open.pop()?.close()
})

/** Envelopes ELS wrote to its outbox, oldest first. */
function emitted(els: Els): Envelope[] {
  const rows = els.db.prepare('SELECT event_data FROM outbox ORDER BY id').pluck().all() as string[]
  return rows.map((row) => {
    const parsed = parseEnvelope(row)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.envelope
  })
}

function slots(els: Els): {essay_id: string; status: string; text_storage_id: string | null}[] {
  return els.db
    .prepare('SELECT essay_id, status, text_storage_id FROM essay_slots ORDER BY batch_id, slot_index')
    .all() as never
}

function readyCount(els: Els, batch = 'b1'): number {
  return emitted(els).filter((e) => e.event_type === TOPICS.batchEssaysReady && e.data.batch_id === batch).length
}

describe.each(STRATEGY_NAMES)('Els (%s), registered batches', (strategy) => {
  it('registration creates one free slot per essay and a tracker', () => {
    // Given
    const els = makeEls(strategy)
    const m = new Messages()

    // When
    const handled = els.handle(m.registered('b1', 3), 10)

    // Then
    expect(handled).toEqual({outcome: {kind: 'registered', batchId: 'b1', slots: 3, drained: 0}, emitted: [], completed: false})
    expect(slots(els)).toEqual([
      {essay_id: 'b1-e1', status: 'UPLOADED', text_storage_id: null},
      {essay_id: 'b1-e2', status: 'UPLOADED', text_storage_id: null},
      {essay_id: 'b1-e3', status: 'UPLOADED', text_storage_id: null},
    ])
    expect(els.trackers()).toEqual([{batchId: 'b1', expected: 3, assigned: 0, failed: 0, readyAt: undefined}])
  })

  it('a second registration of the same batch changes nothing', () => {
    // Given a registered batch
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)

    // When a new registration event (new event id) for the same batch arrives
    const handled = els.handle(m.registered('b1', 4), 20)

    // Then
    expect(handled.outcome).toEqual({kind: 'already-registered', batchId: 'b1'})
    expect(slots(els)).toHaveLength(2)
    expect(els.trackers()[0].expected).toBe(2)
  })

  it('content for a registered batch fills the first free slot and emits EssaySlotAssigned', () => {
    // Given
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 3), 10)

    // When
    const first = els.handle(m.content('b1', 2), 20)
    const second = els.handle(m.content('b1', 1), 30)

    // Then slots are claimed in slot order, whatever the file order
    expect(first).toEqual({
      outcome: {kind: 'assigned', batchId: 'b1', essayId: 'b1-e1', textStorageId: 'text-b1-f2'},
      emitted: [TOPICS.essaySlotAssigned],
      completed: false,
    })
    expect(second.outcome).toMatchObject({kind: 'assigned', essayId: 'b1-e2', textStorageId: 'text-b1-f1'})
    expect(slots(els)).toEqual([
      {essay_id: 'b1-e1', status: 'READY_FOR_PROCESSING', text_storage_id: 'text-b1-f2'},
      {essay_id: 'b1-e2', status: 'READY_FOR_PROCESSING', text_storage_id: 'text-b1-f1'},
      {essay_id: 'b1-e3', status: 'UPLOADED', text_storage_id: null},
    ])
    const assigned = emitted(els)
    expect(assigned.map((e) => e.event_type)).toEqual([TOPICS.essaySlotAssigned, TOPICS.essaySlotAssigned])
    expect(assigned[0].data).toEqual({batch_id: 'b1', essay_id: 'b1-e1', file_upload_id: 'b1-f2', text_storage_id: 'text-b1-f2'})
    expect(assigned[0].source_service).toBe('els')
  })

  it('a re-sent content (new event id, same text_storage_id) is a duplicate, not a second slot', () => {
    // Given a batch of 2 with one content assigned
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)
    const content = m.content('b1', 1)
    els.handle(content, 20)

    // When the relay re-sends it with a new event id
    const handled = els.handle(m.resent(content), 30)

    // Then
    expect(handled.outcome).toMatchObject({kind: 'duplicate', batchId: 'b1'})
    expect(handled.emitted).toEqual([])
    expect(slots(els).filter((s) => s.status === 'READY_FOR_PROCESSING')).toHaveLength(1)
  })

  it('the same event_id twice is a duplicate', () => {
    // Given a registered batch and a handled content
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)
    const content = m.content('b1', 1)
    els.handle(content, 20)

    // When Kafka redelivers the very same message
    const handled = els.handle(m.redelivered(content), 30)

    // Then
    expect(handled.outcome.kind).toBe('duplicate')
    expect(handled.outcome).toMatchObject({why: expect.stringContaining(parseEventId(content.value))})
    expect(handled.emitted).toEqual([])
  })

  it('a redelivered registration is a duplicate by event id', () => {
    // Given
    const els = makeEls(strategy)
    const m = new Messages()
    const registration = m.registered('b1', 2)
    els.handle(registration, 10)

    // When
    const handled = els.handle(m.redelivered(registration), 20)

    // Then
    expect(handled.outcome.kind).toBe('duplicate')
    expect(slots(els)).toHaveLength(2)
  })

  it('content beyond the free slots is excess (NO_AVAILABLE_SLOT)', () => {
    // Given a batch of 1 whose slot is filled... by a content that also completes it
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 1), 10)
    els.handle(m.content('b1', 1), 20)

    // When a second file arrives
    const handled = els.handle(m.content('b1', 2), 30)

    // Then
    expect(handled).toEqual({
      outcome: {kind: 'excess', batchId: 'b1', textStorageId: 'text-b1-f2', reason: 'NO_AVAILABLE_SLOT'},
      emitted: [TOPICS.excessContentProvisioned],
      completed: false,
    })
    const excess = emitted(els).filter((e) => e.event_type === TOPICS.excessContentProvisioned)
    expect(excess.map((e) => e.data)).toEqual([
      {batch_id: 'b1', original_file_name: 'essay-2.docx', text_storage_id: 'text-b1-f2', reason: 'NO_AVAILABLE_SLOT'},
    ])
  })

  it('emits BatchEssaysReady exactly once, in the transaction of the completing content', () => {
    // Given a batch of 2
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)
    const first = els.handle(m.content('b1', 1), 20)

    // When the last content arrives, then one more file, then redeliveries and re-sends
    const completing = els.handle(m.content('b1', 2), 30)
    const extra = els.handle(m.content('b1', 3), 40)
    const resent = els.handle(m.resent(m.content('b1', 2)), 50)
    const lateFailure = els.handle(m.failed('b1', 4), 60)

    // Then only the completing message emitted the ready event
    expect(first.completed).toBe(false)
    expect(completing.completed).toBe(true)
    expect(completing.emitted).toEqual([TOPICS.essaySlotAssigned, TOPICS.batchEssaysReady])
    expect(extra.outcome).toMatchObject({kind: 'excess', reason: 'NO_AVAILABLE_SLOT'})
    expect(extra.completed).toBe(false)
    expect(extra.emitted).toEqual([TOPICS.excessContentProvisioned])
    expect(resent.outcome.kind).toBe('duplicate')
    expect(lateFailure.emitted).not.toContain(TOPICS.batchEssaysReady)
    expect(readyCount(els)).toBe(1)
    const ready = emitted(els).find((e) => e.event_type === TOPICS.batchEssaysReady)
    expect(ready?.data).toEqual({
      batch_id: 'b1',
      ready_essays: [
        {essay_id: 'b1-e1', text_storage_id: 'text-b1-f1'},
        {essay_id: 'b1-e2', text_storage_id: 'text-b1-f2'},
      ],
    })
    expect(els.trackers()[0].readyAt).toBe(30)
  })

  it('a validation failure counts towards completion', () => {
    // Given a batch of 2 with one content
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)
    els.handle(m.content('b1', 1), 20)

    // When the other file's failure arrives, twice (re-sent)
    const failure = m.failed('b1', 2)
    const handled = els.handle(failure, 30)
    const again = els.handle(m.resent(failure), 40)

    // Then
    expect(handled).toEqual({
      outcome: {kind: 'failure-counted', batchId: 'b1', fileUploadId: 'b1-f2'},
      emitted: [TOPICS.batchEssaysReady],
      completed: true,
    })
    expect(again.outcome.kind).toBe('duplicate')
    expect(els.trackers()).toEqual([{batchId: 'b1', expected: 2, assigned: 1, failed: 1, readyAt: 30}])
    expect(readyCount(els)).toBe(1)
  })

  it('dead-letters a message that is not JSON instead of throwing', () => {
    // Given
    const els = makeEls(strategy)
    const m = new Messages()
    const bad = m.raw(TOPICS.essayContentProvisioned, 'k', '{not json', 'x')

    // When
    const handled = els.handle(bad, 10)

    // Then
    expect(handled.outcome.kind).toBe('dead-lettered')
    expect(handled.outcome).toMatchObject({error: expect.stringMatching(/^not JSON/)})
    expect(handled.emitted).toEqual([])
    expect(els.metrics.deadLettered).toBe(1)
    const letters = els.db.prepare('SELECT topic, partition, kafka_offset, value FROM dead_letters').all()
    expect(letters).toEqual([{topic: TOPICS.essayContentProvisioned, partition: 0, kafka_offset: bad.offset, value: '{not json'}])
  })

  it('dead-letters JSON that fails the schema, and keeps working afterwards', () => {
    // Given a registered batch and a content whose batch_id is a number
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 1), 10)
    const good = m.content('b1', 1)
    const broken = m.raw(good.topic, good.key, good.value.replace('"batch_id":"b1"', '"batch_id":1'))

    // When
    const dead = els.handle(broken, 20)
    const next = els.handle(good, 30)

    // Then
    expect(dead.outcome).toMatchObject({kind: 'dead-lettered', error: expect.stringContaining('data.batch_id')})
    expect(next.outcome.kind).toBe('assigned')
    expect(next.completed).toBe(true)
    expect(els.metrics.deadLettered).toBe(1)
  })

  it('keeps batches apart', () => {
    // Given two registered batches
    const els = makeEls(strategy)
    const m = new Messages()
    els.handle(m.registered('b1', 1), 10)
    els.handle(m.registered('b2', 1), 10)

    // When content for b2 arrives
    const handled = els.handle(m.content('b2', 1), 20)

    // Then it fills b2's slot and completes b2 only
    expect(handled.outcome).toMatchObject({kind: 'assigned', essayId: 'b2-e1'})
    expect(els.trackers().map((t) => [t.batchId, t.readyAt])).toEqual([
      ['b1', undefined],
      ['b2', 20],
    ])
  })
})

function parseEventId(value: string): string {
  return (JSON.parse(value) as {event_id: string}).event_id
}

describe('Els naive: events before registration', () => {
  it('early content is reported excess NO_AVAILABLE_SLOT', () => {
    // Given an unregistered batch
    const els = makeEls('naive')
    const m = new Messages()

    // When content arrives first
    const handled = els.handle(m.content('b1', 1), 10)

    // Then
    expect(handled).toEqual({
      outcome: {kind: 'excess', batchId: 'b1', textStorageId: 'text-b1-f1', reason: 'NO_AVAILABLE_SLOT'},
      emitted: [TOPICS.excessContentProvisioned],
      completed: false,
    })
    expect(els.pending.all()).toEqual([])
  })

  it('early validation failure is lost', () => {
    // Given
    const els = makeEls('naive')
    const m = new Messages()

    // When
    const handled = els.handle(m.failed('b1', 1), 10)

    // Then
    expect(handled).toEqual({outcome: {kind: 'failure-lost', batchId: 'b1', fileUploadId: 'b1-f1'}, emitted: [], completed: false})
    expect(els.pending.all()).toEqual([])
  })

  it('the batch never completes after early content (the bug)', () => {
    // Given content for both essays before the registration
    const els = makeEls('naive')
    const m = new Messages()
    els.handle(m.content('b1', 1), 10)
    els.handle(m.content('b1', 2), 20)

    // When the registration arrives
    const handled = els.handle(m.registered('b1', 2), 30)

    // Then nothing is drained and no ready event is emitted
    expect(handled.outcome).toEqual({kind: 'registered', batchId: 'b1', slots: 2, drained: 0})
    expect(handled.completed).toBe(false)
    expect(readyCount(els)).toBe(0)
    expect(els.trackers()[0]).toMatchObject({assigned: 0, readyAt: undefined})
  })
})

describe('Els buffer: events before registration', () => {
  it('buffers early content and early failures in pending_content', () => {
    // Given an unregistered batch
    const els = makeEls('buffer')
    const m = new Messages()

    // When
    const content = els.handle(m.content('b1', 1), 10)
    const failure = els.handle(m.failed('b1', 2), 20)

    // Then
    expect(content).toEqual({outcome: {kind: 'buffered', batchId: 'b1', ref: 'text-b1-f1'}, emitted: [], completed: false})
    expect(failure).toEqual({outcome: {kind: 'buffered', batchId: 'b1', ref: 'b1-f2'}, emitted: [], completed: false})
    expect(els.pending.all().map((row) => [row.batch_id, row.kind, row.ref, row.stored_at])).toEqual([
      ['b1', 'content', 'text-b1-f1', 10],
      ['b1', 'failure', 'b1-f2', 20],
    ])
    expect(els.metrics.pendingStored).toBe(2)
    expect(emitted(els)).toEqual([])
  })

  it('registration drains the buffer in the same transaction and completes the batch', () => {
    // Given one buffered content and one buffered failure for a batch of 2
    const els = makeEls('buffer')
    const m = new Messages()
    els.handle(m.content('b1', 1), 10)
    els.handle(m.failed('b1', 2), 20)

    // When the registration arrives
    const handled = els.handle(m.registered('b1', 2), 100)

    // Then
    expect(handled).toEqual({
      outcome: {kind: 'registered', batchId: 'b1', slots: 2, drained: 2},
      emitted: [TOPICS.essaySlotAssigned, TOPICS.batchEssaysReady],
      completed: true,
    })
    expect(els.pending.all()).toEqual([])
    expect(els.trackers()).toEqual([{batchId: 'b1', expected: 2, assigned: 1, failed: 1, readyAt: 100}])
    expect(els.metrics.reconciled).toEqual({assigned: 1, excess: 0, failed: 1})
    expect(els.metrics.maxPendingAge).toBe(90)
    expect(readyCount(els)).toBe(1)
    expect(els.nextExpiryAt()).toBeUndefined()
  })

  it('content-first: both contents buffered, registration completes the batch', () => {
    // Given
    const els = makeEls('buffer')
    const m = new Messages()
    els.handle(m.content('b1', 2), 10)
    els.handle(m.content('b1', 1), 20)

    // When
    const handled = els.handle(m.registered('b1', 2), 30)

    // Then slots are filled in arrival (buffer) order
    expect(handled.completed).toBe(true)
    expect(handled.emitted).toEqual([TOPICS.essaySlotAssigned, TOPICS.essaySlotAssigned, TOPICS.batchEssaysReady])
    expect(slots(els).map((s) => s.text_storage_id)).toEqual(['text-b1-f2', 'text-b1-f1'])
  })

  it('stores a duplicate buffered content once', () => {
    // Given buffered content
    const els = makeEls('buffer')
    const m = new Messages()
    const content = m.content('b1', 1)
    els.handle(content, 10)

    // When the relay re-sends it with a new event id, then the registration arrives
    const dup = els.handle(m.resent(content), 20)
    const registered = els.handle(m.registered('b1', 2), 30)

    // Then
    expect(dup.outcome).toMatchObject({kind: 'duplicate', batchId: 'b1', why: expect.stringContaining('text-b1-f1')})
    expect(els.metrics.pendingStored).toBe(1)
    expect(registered.outcome).toMatchObject({drained: 1})
    expect(slots(els).filter((s) => s.status === 'READY_FOR_PROCESSING')).toHaveLength(1)
    expect(registered.completed).toBe(false)
  })

  it('stores a duplicate buffered failure once', () => {
    // Given
    const els = makeEls('buffer')
    const m = new Messages()
    const failure = m.failed('b1', 1)
    els.handle(failure, 10)

    // When
    const dup = els.handle(m.resent(failure), 20)

    // Then
    expect(dup.outcome.kind).toBe('duplicate')
    expect(els.pending.all()).toHaveLength(1)
  })

  it('buffered content beyond the slots is reported excess when drained', () => {
    // Given three buffered contents for a batch of 2
    const els = makeEls('buffer')
    const m = new Messages()
    for (const file of [1, 2, 3]) els.handle(m.content('b1', file), 10 * file)

    // When
    const handled = els.handle(m.registered('b1', 2), 100)

    // Then
    expect(handled.completed).toBe(true)
    expect(handled.emitted.filter((e) => e === TOPICS.excessContentProvisioned)).toHaveLength(1)
    expect(els.metrics.reconciled).toEqual({assigned: 2, excess: 1, failed: 0})
    expect(readyCount(els)).toBe(1)
  })

  it('does not buffer content for a batch that is already registered', () => {
    // Given
    const els = makeEls('buffer')
    const m = new Messages()
    els.handle(m.registered('b1', 2), 10)

    // When
    const handled = els.handle(m.content('b1', 1), 20)

    // Then
    expect(handled.outcome.kind).toBe('assigned')
    expect(els.pending.all()).toEqual([])
    expect(els.metrics.pendingStored).toBe(0)
  })

  it('expire() after pendingTimeout reports ExcessContentProvisioned(BATCH_NEVER_REGISTERED) and counts it', () => {
    // Given content and a failure buffered at 10 and 20 for a batch that never registers
    const els = makeEls('buffer', TIMEOUT)
    const m = new Messages()
    els.handle(m.content('b1', 1), 10)
    els.handle(m.failed('b1', 2), 20)
    expect(els.nextExpiryAt()).toBe(10 + TIMEOUT)

    // When expiring just before, then exactly at, the content's deadline
    const early = els.expire(10 + TIMEOUT - 1)
    const due = els.expire(10 + TIMEOUT)

    // Then nothing expired early; at the deadline the content expired and was reported
    expect(early).toEqual([])
    expect(due.map((row) => [row.kind, row.ref])).toEqual([['content', 'text-b1-f1']])
    expect(els.metrics.expired).toBe(1)
    const excess = emitted(els).filter((e) => e.event_type === TOPICS.excessContentProvisioned)
    expect(excess.map((e) => e.data)).toEqual([
      {batch_id: 'b1', original_file_name: 'essay-1.docx', text_storage_id: 'text-b1-f1', reason: 'BATCH_NEVER_REGISTERED'},
    ])
    expect(els.nextExpiryAt()).toBe(20 + TIMEOUT)

    // When the failure's deadline passes too
    const later = els.expire(20 + TIMEOUT + 5)

    // Then it expires and is counted; the buffer is empty
    expect(later.map((row) => [row.kind, row.ref])).toEqual([['failure', 'b1-f2']])
    expect(els.metrics.expired).toBe(2)
    expect(els.pending.all()).toEqual([])
    expect(els.nextExpiryAt()).toBeUndefined()
  })

  it('a registration after expiry finds nothing to drain', () => {
    // Given expired content
    const els = makeEls('buffer', TIMEOUT)
    const m = new Messages()
    els.handle(m.content('b1', 1), 0)
    els.expire(TIMEOUT)

    // When
    const handled = els.handle(m.registered('b1', 1), TIMEOUT + 1)

    // Then
    expect(handled.outcome).toMatchObject({kind: 'registered', drained: 0})
    expect(handled.completed).toBe(false)
  })
})

describe('Els poison messages', () => {
  it('an envelope of a type ELS does not consume is dead-lettered: stored and counted', () => {
    // Given a well-formed BatchEssaysReady envelope delivered to ELS
    const els = new Els('buffer', new IdSource(1), 1000)
    const m = new Messages()
    const message = m.message(TOPICS.batchEssaysReady, 'b1', {batch_id: 'b1', ready_essays: []})
    // When
    const handled = els.handle(message, 10)
    // Then
    expect(handled.outcome.kind).toBe('dead-lettered')
    expect(els.metrics.deadLettered).toBe(1)
    expect(els.db.prepare('SELECT count(*) FROM dead_letters').pluck().get()).toBe(1)
    els.close()
  })

  it('a registration reusing another batch’s essay id is dead-lettered instead of crashing the consumer', () => {
    // Given b1 registered with essay x-1
    const els = new Els('buffer', new IdSource(1), 1000)
    const m = new Messages()
    const data = (batch: string) => ({
      batch_id: batch,
      expected_essay_count: 1,
      essay_ids: ['x-1'],
      course_code: 'ENG5',
      user_id: 'u',
    })
    els.handle(m.message(TOPICS.batchEssaysRegistered, 'b1', data('b1')), 1)
    // When b2 claims the same essay id
    const handled = els.handle(m.message(TOPICS.batchEssaysRegistered, 'b2', data('b2')), 2)
    // Then it is dead-lettered, and b2 has no tracker (the transaction rolled back whole)
    expect(handled.outcome.kind).toBe('dead-lettered')
    expect(els.trackers().map((t) => t.batchId)).toEqual(['b1'])
    expect(els.metrics.deadLettered).toBe(1)
    els.close()
  })

  it('a registration whose essay_ids do not match expected_essay_count is dead-lettered', () => {
    // Given a registration announcing 3 essays with 2 ids
    const els = new Els('buffer', new IdSource(1), 1000)
    const m = new Messages()
    const message = m.message(TOPICS.batchEssaysRegistered, 'b1', {
      batch_id: 'b1',
      expected_essay_count: 3,
      essay_ids: ['a', 'b'],
      course_code: 'ENG5',
      user_id: 'u',
    })
    // When
    const handled = els.handle(message, 1)
    // Then
    expect(handled.outcome).toMatchObject({kind: 'dead-lettered'})
    expect(handled.outcome.kind === 'dead-lettered' && handled.outcome.error).toContain('essay_ids')
    els.close()
  })
})

describe('Els, what one handling reads of its batch tracker', () => {
  /** The SQL texts `els` ran while `work` ran. */
  function statementsDuring(els: Els, work: () => void): string[] {
    const seen: string[] = []
    const proto = Object.getPrototypeOf(els.db.prepare('SELECT 1')) as Record<'get' | 'run' | 'all', (...args: unknown[]) => unknown>
    const originals = {get: proto.get, run: proto.run, all: proto.all}
    for (const method of ['get', 'run', 'all'] as const) {
      proto[method] = function (this: {source: string}, ...args: unknown[]) {
        seen.push(this.source)
        return originals[method].apply(this, args)
      }
    }
    try {
      work()
    } finally {
      Object.assign(proto, originals)
    }
    return seen
  }
  const trackerReads = (sql: string[]): number => sql.filter((s) => s.startsWith('SELECT expected_count, ready_at FROM batch_trackers')).length

  it('reads it once per handling: content that completes its batch, a registration that drains two', () => {
    // Given
    const m = new Messages()
    const registeredFirst = makeEls('buffer')
    registeredFirst.handle(m.registered('b1', 1), 10)
    const bufferedFirst = makeEls('buffer')
    bufferedFirst.handle(m.content('b2', 1), 10)
    bufferedFirst.handle(m.content('b2', 2), 11)

    // When
    const completing = statementsDuring(registeredFirst, () => registeredFirst.handle(m.content('b1', 1), 20))
    const draining = statementsDuring(bufferedFirst, () => bufferedFirst.handle(m.registered('b2', 2), 20))

    // Then: the same outcomes as ever, one tracker read each
    expect(readyCount(registeredFirst, 'b1')).toBe(1)
    expect(readyCount(bufferedFirst, 'b2')).toBe(1)
    expect(trackerReads(completing)).toBe(1)
    expect(trackerReads(draining)).toBe(1)
  })

  it('reads it afresh in the next handling, after a handling that rolled back', () => {
    // Given a registration whose transaction fails after its tracker was written
    const m = new Messages()
    const els = makeEls('buffer')
    let fail = true
    els.failRegistrationMidway = () => fail
    expect(() => els.handle(m.registered('b1', 1), 10)).toThrow('disk I/O error')
    fail = false

    // When the message is handled again, then its content
    const again = els.handle(m.registered('b1', 1), 20)
    const content = els.handle(m.content('b1', 1), 30)

    // Then it registers (the rolled-back tracker was not remembered) and completes
    expect(again.outcome).toMatchObject({kind: 'registered', batchId: 'b1'})
    expect(content.completed).toBe(true)
  })

  it('a subclass (a test variant, which may write trackers with its own SQL) reads it every time', () => {
    // Given
    class Variant extends Els {}
    const m = new Messages()
    const els = new Variant('buffer', new IdSource(5), TIMEOUT)
    open.push(els)
    els.handle(m.registered('b1', 1), 10)

    // When
    const completing = statementsDuring(els, () => els.handle(m.content('b1', 1), 20))

    // Then: existence, expected count, completion
    expect(trackerReads(completing)).toBe(3)
  })
})
