import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {
  MAX_PUBLISH_RETRIES,
  Outbox,
  OUTBOX_SCHEMA,
  RELAY_BATCH_SIZE,
  type OutboxEntry,
} from '../../../src/sim/outbox/outbox.js'

const ids = new IdSource(3)

function contentEntry(batch: string, file: string): OutboxEntry {
  return {
    aggregateId: file,
    aggregateType: 'file_upload',
    eventType: TOPICS.essayContentProvisioned,
    topic: TOPICS.essayContentProvisioned,
    key: file,
    eventData: envelopeJson(
      TOPICS.essayContentProvisioned,
      {
        batch_id: batch,
        file_upload_id: file,
        original_file_name: `${file}.docx`,
        raw_file_storage_id: `raw-${file}`,
        text_storage_id: `text-${file}`,
        file_size_bytes: 100,
        content_md5_hash: 'x',
      },
      {eventId: ids.eventId(), at: 0, source: 'file', correlationId: `corr-${batch}`},
    ),
  }
}

describe('Outbox', () => {
  let db: Database.Database
  let outbox: Outbox

  beforeEach(() => {
    db = new Database(':memory:')
    db.exec(OUTBOX_SCHEMA)
    outbox = new Outbox(db)
  })

  afterEach(() => {
    db.close()
  })

  const rawRow = (id: number): Record<string, unknown> => db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Record<string, unknown>

  it('add() stores every column and returns the row id', () => {
    // Given
    const entry = contentEntry('b1', 'b1-f1')

    // When
    const id = outbox.add(entry, 1234)

    // Then
    expect(id).toBe(1)
    expect(rawRow(id)).toEqual({
      id: 1,
      aggregate_id: 'b1-f1',
      aggregate_type: 'file_upload',
      event_type: TOPICS.essayContentProvisioned,
      topic: TOPICS.essayContentProvisioned,
      event_key: 'b1-f1',
      event_data: entry.eventData,
      created_at: 1234,
      published_at: null,
      retry_count: 0,
      last_error: null,
    })
  })

  it('unpublished() returns the oldest rows first, at most one relay batch of 100', () => {
    // Given 150 rows
    for (let i = 0; i < 150; i++) outbox.add(contentEntry('b1', `b1-f${i + 1}`), i)

    // When
    const rows = outbox.unpublished()

    // Then
    expect(RELAY_BATCH_SIZE).toBe(100)
    expect(rows).toHaveLength(100)
    expect(rows.map((row) => row.id)).toEqual(Array.from({length: 100}, (_, i) => i + 1))
    expect(rows[0]).toMatchObject({aggregate_id: 'b1-f1', event_key: 'b1-f1', created_at: 0, retry_count: 0})
  })

  it('markPublished() removes rows from the unpublished set and records the time', () => {
    // Given 150 rows, the first batch of 100 published
    for (let i = 0; i < 150; i++) outbox.add(contentEntry('b1', `b1-f${i + 1}`), i)
    for (const row of outbox.unpublished()) outbox.markPublished(row.id, 5000)

    // When
    const rest = outbox.unpublished()

    // Then
    expect(rest.map((row) => row.id)).toEqual(Array.from({length: 50}, (_, i) => i + 101))
    expect(outbox.countUnpublished()).toBe(50)
    expect(rawRow(1).published_at).toBe(5000)
    expect(rawRow(101).published_at).toBeNull()
  })

  it('markPublished() in memory lets the envelope go and the emptied pages be used again', () => {
    // Given 3,000 rows, each published long after it was written (as ELS's polling relay does)
    const pages = (): number => db.pragma('page_count', {simple: true}) as number
    const addAndPublishBehind = (from: number, count: number): void => {
      for (let i = from; i < from + count; i++) {
        outbox.add(contentEntry('b1', `b1-f${i}`), i)
        if (i > 500) outbox.markPublished(i - 500, i)
      }
    }
    addAndPublishBehind(1, 3000)
    const afterFirst = pages()

    // When 3,000 more rows come the same way
    addAndPublishBehind(3001, 3000)

    // Then a published row keeps everything but its envelope
    expect(rawRow(1)).toMatchObject({id: 1, aggregate_id: 'b1-f1', event_key: 'b1-f1', published_at: 501, event_data: ''})
    expect(rawRow(6000).event_data).toContain('"text_storage_id":"text-b1-f6000"')
    // And the database holds about the 500 unpublished envelopes, not 6,000 (about 1,500 pages):
    // a row that only shrank would keep its page half empty, and the database would double
    expect(pages() - afterFirst).toBeLessThan(afterFirst)
    expect(pages()).toBeLessThan(400)
  })

  it('markPublished() on disk (--db) keeps every envelope, for the sqlite3 shell', () => {
    // Given an outbox in a database file
    const dir = mkdtempSync(join(tmpdir(), 'racelab-outbox-'))
    const file = new Database(join(dir, 'file.sqlite'))
    try {
      file.exec(OUTBOX_SCHEMA)
      const onDisk = new Outbox(file)
      const entry = contentEntry('b1', 'b1-f1')
      const id = onDisk.add(entry, 0)

      // When
      onDisk.markPublished(id, 7)

      // Then
      expect(file.prepare('SELECT published_at, event_data FROM outbox WHERE id = ?').get(id)).toEqual({published_at: 7, event_data: entry.eventData})
    } finally {
      file.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('recordFailure() increments retry_count and keeps the last error', () => {
    // Given
    const id = outbox.add(contentEntry('b1', 'b1-f1'), 0)

    // When
    outbox.recordFailure(id, 'broker down')
    outbox.recordFailure(id, 'timeout')

    // Then
    expect(rawRow(id)).toMatchObject({retry_count: 2, last_error: 'timeout', published_at: null})
    expect(outbox.unpublished().map((row) => row.retry_count)).toEqual([2])
  })

  it('no longer returns a row after 5 failures, but still counts it unpublished', () => {
    // Given two rows, the first failing 4 times and the second 5 times
    const four = outbox.add(contentEntry('b1', 'b1-f1'), 0)
    const five = outbox.add(contentEntry('b1', 'b1-f2'), 0)
    for (let i = 0; i < 4; i++) outbox.recordFailure(four, `error ${i}`)
    for (let i = 0; i < MAX_PUBLISH_RETRIES; i++) outbox.recordFailure(five, `error ${i}`)

    // When
    const rows = outbox.unpublished()

    // Then
    expect(MAX_PUBLISH_RETRIES).toBe(5)
    expect(rows.map((row) => row.id)).toEqual([four])
    expect(outbox.countUnpublished()).toBe(2)
    expect(rawRow(five)).toMatchObject({retry_count: 5, last_error: 'error 4'})
  })

  it('countUnpublished() counts rows without published_at', () => {
    // Given three rows, one published
    const first = outbox.add(contentEntry('b1', 'b1-f1'), 0)
    outbox.add(contentEntry('b1', 'b1-f2'), 0)
    outbox.add(contentEntry('b1', 'b1-f3'), 0)
    const before = outbox.countUnpublished()

    // When
    outbox.markPublished(first, 10)

    // Then
    expect(before).toBe(3)
    expect(outbox.countUnpublished()).toBe(2)
  })

  it("leftUnpublished() returns the batch_id from the envelope, not the row's aggregate", () => {
    // Given rows of two batches whose aggregate is a file upload; one published
    const published = outbox.add(contentEntry('b1', 'b1-f1'), 0)
    const second = outbox.add(contentEntry('b1', 'b1-f2'), 0)
    const third = outbox.add(contentEntry('b2', 'b2-f1'), 0)
    outbox.markPublished(published, 1)
    outbox.recordFailure(third, 'broker down')

    // When
    const left = outbox.leftUnpublished()

    // Then (with each row's failures, so a row out of retries can be named)
    expect(left).toEqual([
      {id: second, event_type: TOPICS.essayContentProvisioned, batch_id: 'b1', retry_count: 0, last_error: null},
      {id: third, event_type: TOPICS.essayContentProvisioned, batch_id: 'b2', retry_count: 1, last_error: 'broker down'},
    ])
  })

  it('writes join the caller transaction: a rolled-back add leaves no row', () => {
    // Given a transaction that adds a row and then fails
    const failing = db.transaction(() => {
      outbox.add(contentEntry('b1', 'b1-f1'), 0)
      throw new Error('boom')
    })

    // When
    expect(() => failing()).toThrow('boom')

    // Then
    expect(outbox.countUnpublished()).toBe(0)
    expect(outbox.unpublished()).toEqual([])
  })

  it('uses the partial index for the unpublished poll', () => {
    // Given the schema
    // When
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE published_at IS NULL AND retry_count < ${MAX_PUBLISH_RETRIES} ORDER BY id LIMIT ${RELAY_BATCH_SIZE}`,
      )
      .all() as {detail: string}[]

    // Then
    expect(plan.map((row) => row.detail).join('\n')).toContain('outbox_unpublished')
  })
})
