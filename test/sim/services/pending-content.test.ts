import Database from 'better-sqlite3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {PENDING_SCHEMA, PendingContent} from '../../../src/sim/services/pending-content.js'

describe('PendingContent.oldestStoredAt, remembered', () => {
  let db: Database.Database

  beforeEach(() => {
    db = new Database(':memory:')
    db.exec(PENDING_SCHEMA)
  })

  afterEach(() => db.close())

  const rawInsert = (ref: string, storedAt: number): void => {
    db.prepare("INSERT INTO pending_content (batch_id, kind, ref, payload, stored_at) VALUES ('b', 'content', ?, '{}', ?)").run(ref, storedAt)
  }

  it('answers from memory while no write went through a PendingContent (so only a sole writer may ask it to remember)', () => {
    // Given a read remembered, then a row written behind its back
    const pending = new PendingContent(db, true)
    expect(pending.oldestStoredAt()).toBeUndefined()
    rawInsert('t1', 5)

    // When / Then: remembered; without remembering, read
    expect(pending.oldestStoredAt()).toBeUndefined()
    expect(new PendingContent(db).oldestStoredAt()).toBe(5)
  })

  it('reads again after a write through any PendingContent over the same database', () => {
    // Given two instances over one database (two ELS instances), the first remembering
    const first = new PendingContent(db, true)
    const second = new PendingContent(db)
    expect(first.oldestStoredAt()).toBeUndefined()

    // When the other one stores, then drains
    second.store('b', 'content', 't1', '{}', 7)
    const afterStore = first.oldestStoredAt()
    second.drain('b')

    // Then
    expect(afterStore).toBe(7)
    expect(first.oldestStoredAt()).toBeUndefined()
  })

  it('remembers nothing read inside a transaction, which may still roll back', () => {
    // Given
    const pending = new PendingContent(db, true)

    // When a transaction stores and reads, then rolls back
    const inside = db.transaction(() => {
      pending.store('b', 'content', 't1', '{}', 3)
      const seen = pending.oldestStoredAt()
      throw Object.assign(new Error('rolled back'), {seen})
    })
    let seen: unknown
    try {
      inside()
    } catch (error) {
      seen = (error as {seen: unknown}).seen
    }

    // Then the read inside saw the row; after the rollback there is none
    expect(seen).toBe(3)
    expect(pending.oldestStoredAt()).toBeUndefined()
  })

  it('forgets what it remembered (a process restart)', () => {
    // Given
    const pending = new PendingContent(db, true)
    expect(pending.oldestStoredAt()).toBeUndefined()
    rawInsert('t1', 9)

    // When
    pending.forget()

    // Then
    expect(pending.oldestStoredAt()).toBe(9)
  })
})
