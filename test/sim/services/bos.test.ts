import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseEnvelope} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {Bos, type BatchRegistration} from '../../../src/sim/services/bos.js'

const registration = (batchId: string, essays = 2): BatchRegistration => ({
  batchId,
  essayIds: Array.from({length: essays}, (_, i) => `${batchId}-e${i + 1}`),
  courseCode: 'ENG5',
  userId: 'teacher-1',
})

describe('Bos', () => {
  let bos: Bos

  beforeEach(() => {
    bos = new Bos(new IdSource(1))
  })

  afterEach(() => {
    bos.close()
  })

  const outboxRows = (): {id: number; aggregate_id: string; aggregate_type: string; event_key: string; topic: string; event_data: string; created_at: number}[] =>
    bos.db.prepare('SELECT * FROM outbox ORDER BY id').all() as never

  it('registerBatch writes the batch row and its BatchEssaysRegistered outbox row', () => {
    // Given / When
    const rowId = bos.registerBatch(registration('b1', 3), 700)

    // Then the batch row exists
    expect(bos.batches()).toEqual([{batchId: 'b1', expectedEssays: 3, committedAt: 700}])
    const batch = bos.db.prepare('SELECT * FROM batches').get() as Record<string, unknown>
    expect(JSON.parse(batch.essay_ids as string)).toEqual(['b1-e1', 'b1-e2', 'b1-e3'])

    // And the outbox row carries a valid envelope keyed by the batch id
    const rows = outboxRows()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      id: rowId,
      aggregate_id: 'b1',
      aggregate_type: 'batch',
      event_key: 'b1',
      topic: TOPICS.batchEssaysRegistered,
      created_at: 700,
    })
    const parsed = parseEnvelope(rows[0].event_data)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.envelope.event_type).toBe(TOPICS.batchEssaysRegistered)
    expect(parsed.envelope.source_service).toBe('bos')
    expect(parsed.envelope.correlation_id).toBe('corr-b1')
    expect(parsed.envelope.data).toEqual({
      batch_id: 'b1',
      expected_essay_count: 3,
      essay_ids: ['b1-e1', 'b1-e2', 'b1-e3'],
      course_code: 'ENG5',
      user_id: 'teacher-1',
    })
  })

  it('a repeat of a registration (the client retrying after a crash) is answered with the first row and writes nothing', () => {
    // Given a registered batch
    const first = bos.registerBatch(registration('b1', 2), 100)

    // When the same batch id is registered again
    const again = bos.registerBatch(registration('b1', 5), 200)

    // Then the answer is the first outbox row, and nothing of the second attempt exists
    expect(again).toBe(first)
    expect(bos.batches()).toEqual([{batchId: 'b1', expectedEssays: 2, committedAt: 100}])
    expect(outboxRows().map((row) => row.created_at)).toEqual([100])
    expect(bos.outbox.countUnpublished()).toBe(1)
  })

  it('finds a registration\'s committed row through an index, not a scan of the whole outbox', () => {
    // Given / When the lookup every registration makes is planned
    const plan = bos.db
      .prepare('EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE aggregate_id = ? AND event_type = ? ORDER BY id LIMIT 1')
      .all('b1', TOPICS.batchEssaysRegistered) as {detail: string}[]

    // Then SQLite searches the index: a scan made a 10,000-batch run's BOS work grow with the square of its batches
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/SEARCH outbox USING (COVERING )?INDEX outbox_by_aggregate/)
  })

  it('registerBatchOnce tells the client whether its registration was a repeat', () => {
    // Given / When a registration and its retry
    const first = bos.registerBatchOnce(registration('b1', 2), 100)
    const again = bos.registerBatchOnce(registration('b1', 2), 200)

    // Then
    expect(first).toEqual({row: 1, repeat: false})
    expect(again).toEqual({row: 1, repeat: true})
  })

  it('is atomic: when the outbox insert fails, the batch row is rolled back too', () => {
    // Given an outbox that refuses inserts
    bos.db.exec("CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END")

    // When
    const register = (): number => bos.registerBatch(registration('b1'), 100)

    // Then neither the batch row nor an outbox row exists
    expect(register).toThrow('outbox down')
    expect(bos.batches()).toEqual([])
    expect(bos.knows('b1')).toBe(false)
    expect(outboxRows()).toEqual([])
  })

  it('knows() answers whether a batch is registered', () => {
    // Given
    bos.registerBatch(registration('b1'), 0)

    // When / Then
    expect(bos.knows('b1')).toBe(true)
    expect(bos.knows('b2')).toBe(false)
    expect(bos.knows('')).toBe(false)
  })

  it('knows() does not answer a registration a caller\'s own transaction rolled back', () => {
    // Given a registration inside an outer transaction that then fails
    const outer = bos.db.transaction(() => {
      bos.registerBatch(registration('b1'), 0)
      expect(bos.knows('b1')).toBe(true)
      throw new Error('the caller failed')
    })

    // When
    expect(outer).toThrow('the caller failed')

    // Then
    expect(bos.knows('b1')).toBe(false)
  })

  it('gives every registration envelope a distinct event id', () => {
    // Given
    bos.registerBatch(registration('b1'), 0)
    bos.registerBatch(registration('b2'), 10)

    // When
    const eventIds = outboxRows().map((row) => (JSON.parse(row.event_data) as {event_id: string}).event_id)

    // Then
    expect(new Set(eventIds).size).toBe(2)
    expect(bos.batches().map((b) => b.batchId)).toEqual(['b1', 'b2'])
  })
})
