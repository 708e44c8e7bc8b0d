import type Database from 'better-sqlite3'

import type {Micros} from '../kernel/time.js'
import {statement} from '../sqlite/statements.js'

/** The outbox table every service has (docs/domain.md#the-outbox-and-its-relay), with a partial index on unpublished rows. */
export const OUTBOX_SCHEMA = `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  aggregate_id TEXT NOT NULL,
  aggregate_type TEXT NOT NULL,
  event_type TEXT NOT NULL,
  topic TEXT NOT NULL,
  event_key TEXT NOT NULL,
  event_data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  published_at INTEGER,
  retry_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
`

/** Relay reads at most this many rows per poll, as the real relay does. */
export const RELAY_BATCH_SIZE = 100
/** After this many failed publishes a row keeps its last_error and is no longer tried. */
export const MAX_PUBLISH_RETRIES = 5

export interface OutboxEntry {
  aggregateId: string
  aggregateType: 'batch' | 'file_upload' | 'essay_batch'
  eventType: string
  topic: string
  key: string
  eventData: string
}

export interface OutboxRow {
  id: number
  aggregate_id: string
  event_type: string
  topic: string
  event_key: string
  event_data: string
  created_at: Micros
  retry_count: number
}

// Built once: statement() looks prepared statements up by their text, and a template with
// substitutions makes (and hashes) a new string each time it is evaluated.
const UNPUBLISHED_SQL = `SELECT id, aggregate_id, event_type, topic, event_key, event_data, created_at, retry_count
       FROM outbox WHERE published_at IS NULL AND retry_count < ${MAX_PUBLISH_RETRIES}
       ORDER BY id LIMIT ${RELAY_BATCH_SIZE}`

const MARK_SQL = 'UPDATE outbox SET published_at = ? WHERE id = ?'
// `id = id` changes nothing but makes SQLite delete the row and insert it again: a row that only
// shrank stays on its page, half-empty pages are never merged, and a relay that publishes behind
// its writer (ELS's) would keep every page (measured: 7,749 pages against 1,131 for 60,000 rows).
const MARK_DROPPING_SQL = "UPDATE outbox SET published_at = ?, event_data = '', id = id WHERE id = ?"

/** Outbox statements for one service's database. Writes join the caller's transaction. */
export class Outbox {
  private readonly insertStmt: Database.Statement
  private readonly unpublishedStmt: Database.Statement
  private readonly markStmt: Database.Statement
  private readonly failStmt: Database.Statement
  private readonly countStmt: Database.Statement
  private readonly leftStmt: Database.Statement

  constructor(db: Database.Database) {
    this.insertStmt = statement(db, 
      `INSERT INTO outbox (aggregate_id, aggregate_type, event_type, topic, event_key, event_data, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.unpublishedStmt = statement(db, UNPUBLISHED_SQL)
    // In memory, a published row's envelope is let go: nobody can read it after the run, and at
    // 10,000 batches × 25 essays the envelopes are three quarters of the three databases
    // (docs/benchmarks.md). A database on disk (--db) keeps every row whole for the sqlite3 shell.
    this.markStmt = statement(db, db.memory ? MARK_DROPPING_SQL : MARK_SQL)
    this.failStmt = statement(db, 'UPDATE outbox SET retry_count = retry_count + 1, last_error = ? WHERE id = ?')
    this.countStmt = statement(db, 'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL').pluck()
    // The batch id sits in every envelope's data, whatever the row's aggregate is.
    this.leftStmt = statement(db, 
      "SELECT id, event_type, json_extract(event_data, '$.data.batch_id') AS batch_id, retry_count, last_error FROM outbox WHERE published_at IS NULL ORDER BY id",
    )
  }

  add(entry: OutboxEntry, now: Micros): number {
    const result = this.insertStmt.run(
      entry.aggregateId,
      entry.aggregateType,
      entry.eventType,
      entry.topic,
      entry.key,
      entry.eventData,
      now,
    )
    return Number(result.lastInsertRowid)
  }

  /** Oldest unpublished rows first, at most one relay batch. */
  unpublished(): OutboxRow[] {
    return this.unpublishedStmt.all() as OutboxRow[]
  }

  markPublished(id: number, now: Micros): void {
    this.markStmt.run(now, id)
  }

  recordFailure(id: number, error: string): void {
    this.failStmt.run(error, id)
  }

  countUnpublished(): number {
    return this.countStmt.get() as number
  }

  leftUnpublished(): {id: number; event_type: string; batch_id: string; retry_count: number; last_error: string | null}[] {
    return this.leftStmt.all() as {id: number; event_type: string; batch_id: string; retry_count: number; last_error: string | null}[]
  }
}
