import type Database from 'better-sqlite3'

import {envelopeJson} from '../domain/envelope.js'
import {routeFor} from '../domain/routing.js'
import type {IdSource} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import {Outbox, OUTBOX_SCHEMA} from '../outbox/outbox.js'
import type {Routing} from '../domain/routing.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {statement} from '../sqlite/statements.js'
import {reusedTransaction} from '../sqlite/reused-transaction.js'

const BOS_SCHEMA = `
CREATE TABLE batches (
  batch_id TEXT PRIMARY KEY,
  expected_essay_count INTEGER NOT NULL,
  essay_ids TEXT NOT NULL,
  course_code TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`

/**
 * Every registration looks up its batch's committed outbox row (the client's retry is answered
 * again): without this index that was a scan of the whole outbox, once per batch, so a run's BOS
 * work grew with the square of its batches (a 10,000-batch run: docs/benchmarks.md).
 */
const BOS_OUTBOX_INDEX = `
CREATE INDEX outbox_by_aggregate ON outbox (aggregate_id, event_type);
`

// One string for every run: the pool looks databases up by their schema's text, and a string
// built anew each run is hashed anew each run.
const SCHEMA = BOS_SCHEMA + OUTBOX_SCHEMA + BOS_OUTBOX_INDEX

export interface BatchRegistration {
  batchId: string
  essayIds: string[]
  courseCode: string
  userId: string
}

/** Batch Orchestrator Service: registers batches, each with its outbox row, in one transaction. */
export class Bos {
  readonly db: Database.Database
  readonly outbox: Outbox
  private readonly insertBatch: Database.Statement
  private readonly findBatch: Database.Statement
  private readonly registrationRow: Database.Statement
  private readonly register: (registration: BatchRegistration, now: Micros) => {row: number; repeat: boolean}
  private readonly reserved = new Set<string>()
  /**
   * Batches whose registration this Bos saw commit: BOS never deletes a batch row, so `knows`
   * answers them without asking the database (a File Service upload asks once per file).
   */
  private readonly committed = new Set<string>()

  constructor(
    private readonly ids: IdSource,
    dir?: string,
    routing: Routing = 'event-topics',
  ) {
    this.db = openServiceDb('bos', SCHEMA, dir)
    this.outbox = new Outbox(this.db)
    this.insertBatch = statement(this.db, 
      'INSERT INTO batches (batch_id, expected_essay_count, essay_ids, course_code, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.findBatch = statement(this.db, 'SELECT 1 FROM batches WHERE batch_id = ?').pluck()
    this.registrationRow = statement(this.db, 'SELECT id FROM outbox WHERE aggregate_id = ? AND event_type = ? ORDER BY id LIMIT 1').pluck()
    this.register = reusedTransaction(this.db, 'bos.register', (registration: BatchRegistration, now: Micros) => {
      const {batchId, essayIds, courseCode, userId} = registration
      // A client retrying after a crash that lost BOS's answer: the batch id is its idempotency
      // key, so the committed registration is answered again, not written twice.
      const committed = this.registrationRow.get(batchId, TOPICS.batchEssaysRegistered) as number | undefined
      if (committed !== undefined) return {row: committed, repeat: true}
      this.insertBatch.run(batchId, essayIds.length, JSON.stringify(essayIds), courseCode, userId, now)
      const route = routeFor(routing, TOPICS.batchEssaysRegistered, batchId, batchId)
      const row = this.outbox.add(
        {
          aggregateId: batchId,
          aggregateType: 'batch',
          eventType: TOPICS.batchEssaysRegistered,
          topic: route.topic,
          key: route.key,
          eventData: envelopeJson(
            TOPICS.batchEssaysRegistered,
            {
              batch_id: batchId,
              expected_essay_count: essayIds.length,
              essay_ids: essayIds,
              course_code: courseCode,
              user_id: userId,
            },
            {eventId: this.ids.eventId(), at: now, source: 'bos', correlationId: `corr-${batchId}`},
          ),
        },
        now,
      )
      return {row, repeat: false}
    })
  }

  /** Batch row + outbox row in ONE transaction; returns the outbox row id (the same one for a repeat). */
  registerBatch(registration: BatchRegistration, now: Micros): number {
    return this.registered(registration, now).row
  }

  /** registerBatch, telling a repeat (the batch was registered already: answered, nothing written) from a first registration. */
  registerBatchOnce(registration: BatchRegistration, now: Micros): {row: number; repeat: boolean} {
    return this.registered(registration, now)
  }

  private registered(registration: BatchRegistration, now: Micros): {row: number; repeat: boolean} {
    const result = this.register(registration, now)
    // Returned, so committed (a throw rolled it back), unless a caller's own transaction still holds it.
    if (!this.db.inTransaction) this.committed.add(registration.batchId)
    return result
  }

  /**
   * A batch id BOS handed out whose registration never committed: no batch row, no outbox row,
   * no BatchEssaysRegistered. **racelab:** its query API still knows the id, so the File Service
   * accepts uploads for it; this stands in for every way content reaches ELS for a batch BOS never
   * committed (a client retrying with the id of a failed registration, a batch deleted at BOS), the
   * case ELS's pending expiry exists for (docs/domain.md#the-fix).
   */
  reserve(batchId: string): void {
    this.reserved.add(batchId)
  }

  /** BOS's query API, which the File Service asks before accepting an upload. */
  knows(batchId: string): boolean {
    return this.reserved.has(batchId) || this.committed.has(batchId) || this.findBatch.get(batchId) !== undefined
  }

  batches(): {batchId: string; expectedEssays: number; committedAt: Micros}[] {
    return statement(this.db, 
        'SELECT batch_id AS batchId, expected_essay_count AS expectedEssays, created_at AS committedAt FROM batches ORDER BY rowid',
      )
      .all() as {batchId: string; expectedEssays: number; committedAt: Micros}[]
  }

  close(): void {
    closeServiceDb(this.db)
  }
}
