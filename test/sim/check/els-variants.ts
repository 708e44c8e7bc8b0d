import type Database from 'better-sqlite3'

import type {BusMessage} from '../../../src/sim/bus/bus.js'
import {type DataOf, parseEnvelope} from '../../../src/sim/domain/events.js'
import type {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import type {Micros} from '../../../src/sim/kernel/time.js'
import type {ElsHandled, ElsOutcome} from '../../../src/sim/consumer/handled.js'
import {Els, type Step} from '../../../src/sim/services/els.js'
import type {ElsStrategy} from '../../../src/sim/services/els-strategy.js'
import type {PendingRow} from '../../../src/sim/services/pending-content.js'
import type {RunOptions} from '../../../src/sim/simulated/run-simulation.js'

/**
 * The seven bugs the real system had after the buffer fix (docs/domain.md#post-fix-bugs), each rebuilt as an ELS variant over the same database as the real Els. A test
 * runs the simulation with one of them (RunOptions.makeEls) and expects the checker to catch it.
 */

export type ElsClass = new (strategy: ElsStrategy, ids: IdSource, pendingTimeout: Micros, db: Database.Database) => Els

/** RunOptions.makeEls for a variant class: every instance of the group runs the variant. */
export function makeEls(variant: ElsClass): NonNullable<RunOptions['makeEls']> {
  return (strategy, ids, pendingTimeout, db) => new variant(strategy, ids, pendingTimeout, db)
}

const isRegistration = (message: BusMessage): boolean => message.topic === TOPICS.batchEssaysRegistered

/**
 * The real Els, named as the base of the variants that change where pending rows wait (Els's
 * `buffer` and `takePending` seams); it must hold every invariant wherever Els does, and the
 * tests check that too.
 */
export class DrainSeamEls extends Els {}

/**
 * Bug 1: the buffer lives in process memory. Early content and failures wait in a Map of this
 * instance: gone when the instance restarts, and invisible to the instance that gets the
 * registration's partition.
 */
export class InMemoryBufferEls extends DrainSeamEls {
  private readonly memory = new Map<string, PendingRow[]>()
  private nextId = 1

  private remember(batchId: string, kind: PendingRow['kind'], ref: string, payload: string, now: Micros): boolean {
    const rows = this.memory.get(batchId) ?? []
    if (rows.some((row) => row.ref === ref)) return false
    rows.push({id: this.nextId++, batch_id: batchId, kind, ref, payload, stored_at: now})
    this.memory.set(batchId, rows)
    this.metrics.pendingStored++
    return true
  }

  protected override buffer(batchId: string, kind: PendingRow['kind'], ref: string, data: object, now: Micros): ElsOutcome {
    if (!this.remember(batchId, kind, ref, JSON.stringify(data), now)) {
      return {kind: 'duplicate', batchId, why: `${ref} is already buffered`}
    }
    return {kind: 'buffered', batchId, ref}
  }

  protected override takePending(batchId: string): PendingRow[] {
    const rows = this.memory.get(batchId) ?? []
    this.memory.delete(batchId)
    return rows
  }

  override restart(): void {
    super.restart()
    this.memory.clear()
  }
}

/**
 * Bug 2: check-then-act. The registration reads the batch's pending rows when the message is
 * taken (`prepare`) and, at the end of its handling, drains exactly those rows. Content another
 * instance buffers in between stays in pending_content, orphaned.
 */
export class CheckThenActEls extends DrainSeamEls {
  private readonly seen = new Map<string, number[]>()
  private readonly idsOf: Database.Statement
  private readonly rowById: Database.Statement
  private readonly deleteById: Database.Statement

  constructor(strategy: ElsStrategy, ids: IdSource, pendingTimeout: Micros, db: Database.Database) {
    super(strategy, ids, pendingTimeout, db)
    this.idsOf = db.prepare('SELECT id FROM pending_content WHERE batch_id = ? ORDER BY id').pluck()
    this.rowById = db.prepare('SELECT * FROM pending_content WHERE id = ?')
    this.deleteById = db.prepare('DELETE FROM pending_content WHERE id = ?')
  }

  override prepare(message: BusMessage, _now: Micros): void {
    if (!isRegistration(message)) return
    const parsed = parseEnvelope(message.value)
    if (!parsed.ok) return
    const batchId = parsed.envelope.data.batch_id
    this.seen.set(batchId, this.idsOf.all(batchId) as number[])
  }

  protected override takePending(batchId: string): PendingRow[] {
    const ids = this.seen.get(batchId) ?? []
    this.seen.delete(batchId)
    const rows = ids.map((id) => this.rowById.get(id) as PendingRow | undefined).filter((row) => row !== undefined)
    for (const row of rows) this.deleteById.run(row.id)
    return rows
  }
}

/**
 * Bug 3: non-atomic registration. The registration runs without a transaction, so every write
 * commits on its own: a database error after the tracker was written leaves the tracker (and the
 * event marked processed) but no slots, and the retry finds "already processed".
 */
export class NonAtomicRegistrationEls extends Els {
  override handle(message: BusMessage, now: Micros): ElsHandled {
    return isRegistration(message) ? this.handleInTx(message, now) : super.handle(message, now)
  }
}

/**
 * Bug 4: pending rows never expire. No expiry job is ever scheduled and expiring does nothing:
 * content for a batch that never registers stays buffered forever and nobody is told.
 */
export class NeverExpiringEls extends Els {
  override nextExpiryAt(): Micros | undefined {
    return undefined
  }

  override expire(_now: Micros): PendingRow[] {
    return []
  }
}

/**
 * Bug 5: duplicate completion. Completion checks the counts only, not whether the batch was
 * already completed: each content event handled after completion (a re-send) completes it again.
 * Modelled by forgetting ready_at before the real check and restoring the first value after.
 */
export class UnguardedCompletionEls extends Els {
  private readonly readyAt: Database.Statement
  private readonly setReadyAt: Database.Statement

  constructor(strategy: ElsStrategy, ids: IdSource, pendingTimeout: Micros, db: Database.Database) {
    super(strategy, ids, pendingTimeout, db)
    this.readyAt = db.prepare('SELECT ready_at FROM batch_trackers WHERE batch_id = ?').pluck()
    this.setReadyAt = db.prepare('UPDATE batch_trackers SET ready_at = ? WHERE batch_id = ?')
  }

  protected override completeIfDone(batchId: string, correlationId: string, now: Micros, step: Step): void {
    const first = this.readyAt.get(batchId) as Micros | null
    this.setReadyAt.run(null, batchId)
    super.completeIfDone(batchId, correlationId, now, step)
    if (first !== null) this.setReadyAt.run(first, batchId)
  }
}

/**
 * Bug 6: deduplication by event_id only. The real system had no (batch_id, text_storage_id)
 * check and no unique constraint on it: a relay re-send (new event_id) of content already in a
 * slot is assigned to a second slot. The variant drops the constraint from the shared database
 * (once) and replaces the "slot already holding this text" lookup with one that never finds it.
 */
export class EventIdOnlyDedupEls extends Els {
  constructor(strategy: ElsStrategy, ids: IdSource, pendingTimeout: Micros, db: Database.Database) {
    EventIdOnlyDedupEls.dropContentUniqueness(db)
    super(strategy, ids, pendingTimeout, db)
    this.stmt.slotHolding = db
      .prepare('SELECT essay_id FROM essay_slots WHERE 0 AND batch_id = ? AND text_storage_id = ?')
      .pluck()
  }

  /** Rebuilds essay_slots without UNIQUE (batch_id, text_storage_id); a no-op the second time. */
  static dropContentUniqueness(db: Database.Database): void {
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'essay_slots'").pluck().get() as string
    if (!/UNIQUE\s*\(\s*batch_id\s*,\s*text_storage_id\s*\)/.test(sql)) return
    db.exec(`
      CREATE TABLE essay_slots_no_dedup (
        essay_id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL,
        slot_index INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('UPLOADED', 'READY_FOR_PROCESSING')),
        text_storage_id TEXT,
        file_upload_id TEXT
      );
      INSERT INTO essay_slots_no_dedup SELECT essay_id, batch_id, slot_index, status, text_storage_id, file_upload_id FROM essay_slots;
      DROP TABLE essay_slots;
      ALTER TABLE essay_slots_no_dedup RENAME TO essay_slots;
      CREATE INDEX slots_by_batch ON essay_slots (batch_id, status, slot_index);
    `)
  }
}

/**
 * Bug 7: early validation failures dropped. Content for an unknown batch is buffered, but a
 * validation failure for an unknown batch is not: it is lost as naive ELS loses it.
 */
export class DroppedEarlyFailureEls extends Els {
  protected override onValidationFailed(
    data: DataOf<typeof TOPICS.essayValidationFailed>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    if (this.stmt.tracker.get(data.batch_id) === undefined) {
      return {kind: 'failure-lost', batchId: data.batch_id, fileUploadId: data.file_upload_id}
    }
    return super.onValidationFailed(data, correlationId, now, step)
  }
}
