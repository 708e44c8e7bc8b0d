import type Database from 'better-sqlite3'

import type {Micros} from '../kernel/time.js'
import {statement} from '../sqlite/statements.js'

/**
 * ELS's durable buffer for content (and validation failures) that arrived before their batch
 * was registered: the buffer strategy's core. Unique on (batch_id, ref), so a redelivered or
 * re-sent event is stored once.
 */
export const PENDING_SCHEMA = `
CREATE TABLE pending_content (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('content', 'failure')),
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  UNIQUE (batch_id, ref)
);
CREATE INDEX pending_by_stored_at ON pending_content (stored_at);
`

export type PendingKind = 'content' | 'failure'

export interface PendingRow {
  id: number
  batch_id: string
  kind: PendingKind
  ref: string
  payload: string
  stored_at: Micros
}

/**
 * Writes through PendingContent per database (every instance over it counts: several ELS
 * instances share one database), so a remembered oldest stored_at knows when it may be stale.
 */
const writesOf = new WeakMap<Database.Database, {count: number}>()

export class PendingContent {
  private readonly insertStmt: Database.Statement
  private readonly forBatchStmt: Database.Statement
  private readonly deleteBatchStmt: Database.Statement
  private readonly expiredStmt: Database.Statement
  private readonly deleteStmt: Database.Statement
  private readonly oldestStmt: Database.Statement
  private readonly allStmt: Database.Statement
  private readonly writes: {count: number}
  /** The last oldest stored_at read outside a transaction, and the write count it was read at. */
  private oldest: {at: Micros | undefined; writes: number} | undefined

  /**
   * @param remembersOldest answer `oldestStoredAt` from the last read while no write went through
   *   a PendingContent since: only for a caller whose every write of the table goes through one
   *   (racelab's ELS; a test's variant writes it with its own SQL).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly remembersOldest = false,
  ) {
    let writes = writesOf.get(db)
    if (writes === undefined) {
      writes = {count: 0}
      writesOf.set(db, writes)
    }
    this.writes = writes
    this.insertStmt = statement(db, 
      'INSERT OR IGNORE INTO pending_content (batch_id, kind, ref, payload, stored_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.forBatchStmt = statement(db, 'SELECT * FROM pending_content WHERE batch_id = ? ORDER BY id')
    this.deleteBatchStmt = statement(db, 'DELETE FROM pending_content WHERE batch_id = ?')
    this.expiredStmt = statement(db, 'SELECT * FROM pending_content WHERE stored_at <= ? ORDER BY id')
    this.deleteStmt = statement(db, 'DELETE FROM pending_content WHERE id = ?')
    this.oldestStmt = statement(db, 'SELECT min(stored_at) FROM pending_content').pluck()
    this.allStmt = statement(db, 'SELECT * FROM pending_content ORDER BY id')
  }

  /** Stores one early event; false when the same (batch, ref) is already buffered. */
  store(batchId: string, kind: PendingKind, ref: string, payload: string, now: Micros): boolean {
    const stored = this.insertStmt.run(batchId, kind, ref, payload, now).changes > 0
    if (stored) this.writes.count++
    return stored
  }

  /** Removes and returns the batch's pending rows, oldest first (inside the caller's transaction). */
  drain(batchId: string): PendingRow[] {
    const rows = this.forBatchStmt.all(batchId) as PendingRow[]
    if (rows.length > 0) {
      this.deleteBatchStmt.run(batchId)
      this.writes.count++
    }
    return rows
  }

  /** Removes and returns rows stored at or before `storedBefore`. */
  takeExpired(storedBefore: Micros): PendingRow[] {
    const rows = this.expiredStmt.all(storedBefore) as PendingRow[]
    for (const row of rows) this.deleteStmt.run(row.id)
    if (rows.length > 0) this.writes.count++
    return rows
  }

  /**
   * The oldest buffered row's stored_at. Read after every ELS handling (its expiry timer), most of
   * which leave the table alone: remembered (see the constructor) when read outside a transaction,
   * so it is what was committed, and read again after any write, committed or rolled back.
   */
  oldestStoredAt(): Micros | undefined {
    if (this.oldest !== undefined && this.oldest.writes === this.writes.count) return this.oldest.at
    const at = (this.oldestStmt.get() as Micros | null) ?? undefined
    if (this.remembersOldest && !this.db.inTransaction) this.oldest = {at, writes: this.writes.count}
    return at
  }

  /** Forgets the remembered oldest stored_at (a process restart loses its memory). */
  forget(): void {
    this.oldest = undefined
  }

  all(): PendingRow[] {
    return this.allStmt.all() as PendingRow[]
  }
}
