import type Database from 'better-sqlite3'

import type {BusMessage} from '../bus/bus.js'
import {DEAD_LETTERS_SCHEMA} from '../consumer/dead-letters.js'
import {addElsEvent} from '../outbox/els-outbox-event.js'
import {type DataOf, type Envelope, type EventType, parseEnvelope, type ExcessReason} from '../domain/events.js'
import type {ConsumerState} from '../consumer/consumer-state.js'
import type {ElsHandled, ElsOutcome} from '../consumer/handled.js'
import type {Delivery, Expired, InputConsumer} from '../consumer/input-consumer.js'
import type {IdSource} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import {Outbox, OUTBOX_SCHEMA} from '../outbox/outbox.js'
import type {ElsStrategy} from './els-strategy.js'
import {PENDING_SCHEMA, PendingContent, type PendingKind, type PendingRow} from './pending-content.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {statement} from '../sqlite/statements.js'
import {reusedTransaction} from '../sqlite/reused-transaction.js'

const ELS_SCHEMA = `
CREATE TABLE batch_trackers (
  batch_id TEXT PRIMARY KEY,
  expected_count INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  ready_at INTEGER
);
CREATE TABLE essay_slots (
  essay_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  slot_index INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('UPLOADED', 'READY_FOR_PROCESSING')),
  text_storage_id TEXT,
  file_upload_id TEXT,
  UNIQUE (batch_id, text_storage_id)
);
CREATE INDEX slots_by_batch ON essay_slots (batch_id, status, slot_index);
CREATE TABLE failed_uploads (
  batch_id TEXT NOT NULL,
  file_upload_id TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (batch_id, file_upload_id)
);
CREATE TABLE processed_events (
  event_id TEXT PRIMARY KEY,
  processed_at INTEGER NOT NULL
);
${DEAD_LETTERS_SCHEMA}`

// One string for every run: the pool looks databases up by their schema's text, and a string
// built anew each run is hashed anew each run.
const SCHEMA = ELS_SCHEMA + PENDING_SCHEMA + OUTBOX_SCHEMA

/** What ELS reads of a batch's tracker. */
interface TrackerRow {
  expected_count: number
  ready_at: Micros | null
}

/** A database failure injected by the register-db-error fault. */
export class InjectedDbError extends Error {
  override readonly name = 'InjectedDbError'
}

export interface ElsMetrics {
  pendingStored: number
  reconciled: {assigned: number; excess: number; failed: number}
  expired: number
  maxPendingAge: Micros
  deadLettered: number
}

/** What one handling step emitted; passed through the handler methods. */
export interface Step {
  emitted: EventType[]
  completed: boolean
}

/**
 * Essay Lifecycle Service: consumes registrations, content and validation failures, assigns
 * content to essay slots, and emits its own events through its outbox. Every message is
 * handled in ONE transaction; the shell commits the Kafka offset only after it returns.
 */
export class Els implements InputConsumer {
  readonly db: Database.Database
  readonly outbox: Outbox
  readonly pending: PendingContent
  readonly metrics: ElsMetrics = {
    pendingStored: 0,
    reconciled: {assigned: 0, excess: 0, failed: 0},
    expired: 0,
    maxPendingAge: 0,
    deadLettered: 0,
  }

  protected readonly handleTx: (message: BusMessage | Delivery, now: Micros) => ElsHandled
  protected readonly expireTx: (storedBefore: Micros, now: Micros) => PendingRow[]
  protected readonly stmt: Record<string, Database.Statement>
  /**
   * racelab's ELS itself, whose every write of its tables goes through this class (a test's
   * variant, a subclass, writes some with its own SQL): it may remember what it read.
   */
  private readonly soleWriter: boolean
  /**
   * The tracker rows the running handling read or wrote, by batch (soleWriter only): a content
   * message read its batch's tracker three times (existence, expected count, completion), a
   * registration once more per buffered row it drained. Made at the start of each handling's
   * transaction and dropped at its end, so it never outlives the transaction it was read in.
   */
  private trackersRead: Map<string, TrackerRow | undefined> | undefined

  /**
   * Fault injection: asked midway through a registration (tracker written, slots not yet);
   * true makes the database fail there, so the whole transaction must roll back.
   */
  failRegistrationMidway: () => boolean = () => false

  /**
   * @param db ELS's database, or a directory for it, or nothing (in memory). Several instances
   *   of ELS share one database, as the real instances share theirs.
   */
  constructor(
    readonly strategy: ElsStrategy,
    protected readonly ids: IdSource,
    /** Buffered events older than this are expired as BATCH_NEVER_REGISTERED. */
    readonly pendingTimeout: Micros,
    dbOrDir?: string | Database.Database,
  ) {
    this.db = typeof dbOrDir === 'object' ? dbOrDir : Els.openDb(dbOrDir)
    this.outbox = new Outbox(this.db)
    this.soleWriter = new.target === Els
    // Only racelab's ELS itself writes pending_content through `pending` alone (variants use their own SQL).
    this.pending = new PendingContent(this.db, this.soleWriter)
    const db = this.db
    this.stmt = {
      markProcessed: statement(db, 'INSERT OR IGNORE INTO processed_events (event_id, processed_at) VALUES (?, ?)'),
      tracker: statement(db, 'SELECT expected_count, ready_at FROM batch_trackers WHERE batch_id = ?'),
      insertTracker: statement(db, 'INSERT INTO batch_trackers (batch_id, expected_count, registered_at) VALUES (?, ?, ?)'),
      insertSlot: statement(db, 
        "INSERT INTO essay_slots (essay_id, batch_id, slot_index, status) VALUES (?, ?, ?, 'UPLOADED')",
      ),
      slotHolding: statement(db, 'SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id = ?').pluck(),
      freeSlot: statement(db, "SELECT essay_id FROM essay_slots WHERE batch_id = ? AND status = 'UPLOADED' ORDER BY slot_index LIMIT 1")
        .pluck(),
      claimSlot: statement(db, 
        "UPDATE essay_slots SET status = 'READY_FOR_PROCESSING', text_storage_id = ?, file_upload_id = ? WHERE essay_id = ?",
      ),
      // Slots filled: assigned plus counted failures, in one statement (both are only ever summed).
      filledCount: statement(
        db,
        "SELECT (SELECT count(*) FROM essay_slots WHERE batch_id = ? AND status = 'READY_FOR_PROCESSING') + (SELECT count(*) FROM failed_uploads WHERE batch_id = ?)",
      ).pluck(),
      insertFailure: statement(db, 
        'INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id, recorded_at) VALUES (?, ?, ?)',
      ),
      markReady: statement(db, 'UPDATE batch_trackers SET ready_at = ? WHERE batch_id = ? AND ready_at IS NULL'),
      readyEssays: statement(db, 
        "SELECT essay_id, text_storage_id FROM essay_slots WHERE batch_id = ? AND status = 'READY_FOR_PROCESSING' ORDER BY slot_index",
      ),
      deadLetter: statement(db, 
        'INSERT INTO dead_letters (topic, partition, kafka_offset, error, value) VALUES (?, ?, ?, ?, ?)',
      ),
    }
    this.handleTx = reusedTransaction(db, 'els.handle', (message: BusMessage | Delivery, now: Micros) => {
      this.trackersRead = this.soleWriter ? new Map() : undefined
      try {
        return this.handleInTx(message, now)
      } finally {
        this.trackersRead = undefined
      }
    })
    this.expireTx = reusedTransaction(db, 'els.expire', (storedBefore: Micros, now: Micros) => this.expireInTx(storedBefore, now))
  }

  static openDb(dir?: string): Database.Database {
    return openServiceDb('els', SCHEMA, dir)
  }

  /** A process restart: ELS keeps nothing but metrics in process memory, and those reset. */
  restart(): void {
    this.pending.forget()
    this.metrics.pendingStored = 0
    this.metrics.reconciled = {assigned: 0, excess: 0, failed: 0}
    this.metrics.expired = 0
    this.metrics.maxPendingAge = 0
    this.metrics.deadLettered = 0
  }

  /**
   * Called when the consumer takes a message, before its handling time passes. The real ELS
   * does all its work in `handle`, in one transaction; a check-then-act variant would read here.
   */
  prepare(_message: BusMessage, _now: Micros): void {}

  /**
   * Handles one consumed message in one transaction. A message that parses but breaks a
   * constraint (say, an essay id another batch already owns) would fail on every redelivery:
   * it is dead-lettered instead of blocking the partition.
   */
  handle(message: BusMessage | Delivery, now: Micros): ElsHandled {
    try {
      return this.handleTx(message, now)
    } catch (error) {
      if ((error as {code?: string}).code?.startsWith('SQLITE_CONSTRAINT')) {
        return this.deadLetter(message, `rejected by the database: ${(error as Error).message}`)
      }
      throw error
    }
  }

  protected deadLetter(message: BusMessage, error: string): ElsHandled {
    this.stmt.deadLetter.run(message.topic, message.partition, message.offset, error, message.value)
    this.metrics.deadLettered++
    return {outcome: {kind: 'dead-lettered', error}, emitted: [], completed: false}
  }

  /** When the oldest buffered event will expire, if any is buffered. */
  nextExpiryAt(): Micros | undefined {
    const oldest = this.pending.oldestStoredAt()
    return oldest === undefined ? undefined : oldest + this.pendingTimeout
  }

  nextTimerAt(): Micros | undefined {
    return this.nextExpiryAt()
  }

  onTimer(now: Micros): Expired[] {
    return this.expire(now).map((row) => ({batch: row.batch_id, kind: row.kind, ref: row.ref}))
  }

  /** Expires buffered events older than the timeout: reported, counted, never silently dropped. */
  expire(now: Micros): PendingRow[] {
    return this.expireTx(now - this.pendingTimeout, now)
  }

  protected handleInTx(message: BusMessage | Delivery, now: Micros): ElsHandled {
    // The consumer loop parsed it already; tests hand over bare bus messages.
    const parsed = 'envelope' in message ? message.envelope : parseEnvelope(message.value)
    if (!parsed.ok) return this.deadLetter(message, parsed.error)
    const envelope = parsed.envelope
    if (this.stmt.markProcessed.run(envelope.event_id, now).changes === 0) {
      return {
        outcome: {kind: 'duplicate', batchId: envelope.data.batch_id, why: `event ${envelope.event_id} already processed`},
        emitted: [],
        completed: false,
      }
    }
    return this.dispatch(message, envelope, now)
  }

  protected dispatch(message: BusMessage, envelope: Envelope, now: Micros): ElsHandled {
    const step: Step = {emitted: [], completed: false}
    let outcome: ElsOutcome
    switch (envelope.event_type) {
      case TOPICS.batchEssaysRegistered:
        outcome = this.onRegistered(envelope.data, envelope.correlation_id, now, step)
        break
      case TOPICS.essayContentProvisioned:
        outcome = this.onContent(envelope.data, envelope.correlation_id, now, step)
        break
      case TOPICS.essayValidationFailed:
        outcome = this.onValidationFailed(envelope.data, envelope.correlation_id, now, step)
        break
      default:
        return this.deadLetter(message, `ELS does not consume ${envelope.event_type}`)
    }
    return {outcome, emitted: step.emitted, completed: step.completed}
  }

  protected onRegistered(
    data: DataOf<typeof TOPICS.batchEssaysRegistered>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const batchId = data.batch_id
    if (this.trackerRow(batchId) !== undefined) return {kind: 'already-registered', batchId}
    this.stmt.insertTracker.run(batchId, data.expected_essay_count, now)
    this.trackersRead?.set(batchId, {expected_count: data.expected_essay_count, ready_at: null})
    if (this.failRegistrationMidway()) throw new InjectedDbError('disk I/O error after the tracker was written')
    data.essay_ids.forEach((essay, index) => this.stmt.insertSlot.run(essay, batchId, index))
    // The fix: slots are created and the buffer drained in the same transaction.
    const drained = this.takePending(batchId)
    for (const row of drained) {
      this.metrics.maxPendingAge = Math.max(this.metrics.maxPendingAge, now - row.stored_at)
      if (row.kind === 'content') {
        const outcome = this.assign(JSON.parse(row.payload), correlationId, now, step)
        if (outcome.kind === 'assigned') this.metrics.reconciled.assigned++
        else this.metrics.reconciled.excess++
      } else {
        this.stmt.insertFailure.run(batchId, row.ref, now)
        this.metrics.reconciled.failed++
      }
    }
    this.completeIfDone(batchId, correlationId, now, step)
    return {kind: 'registered', batchId, slots: data.essay_ids.length, drained: drained.length}
  }

  protected onContent(
    data: DataOf<typeof TOPICS.essayContentProvisioned>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const batchId = data.batch_id
    if (this.trackerRow(batchId) === undefined) {
      if (this.strategy === 'buffer') return this.buffer(batchId, 'content', data.text_storage_id, data, now)
      // The bug: no tracker means no slot, so the content is reported as excess.
      this.emitExcess(batchId, data.original_file_name, data.text_storage_id, 'NO_AVAILABLE_SLOT', correlationId, now, step)
      return {kind: 'excess', batchId, textStorageId: data.text_storage_id, reason: 'NO_AVAILABLE_SLOT'}
    }
    const outcome = this.assign(data, correlationId, now, step)
    this.completeIfDone(batchId, correlationId, now, step)
    return outcome
  }

  protected onValidationFailed(
    data: DataOf<typeof TOPICS.essayValidationFailed>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const batchId = data.batch_id
    if (this.trackerRow(batchId) === undefined) {
      if (this.strategy === 'buffer') return this.buffer(batchId, 'failure', data.file_upload_id, data, now)
      // The bug: nothing records a failure for an unknown batch.
      return {kind: 'failure-lost', batchId, fileUploadId: data.file_upload_id}
    }
    if (this.stmt.insertFailure.run(batchId, data.file_upload_id, now).changes === 0) {
      return {kind: 'duplicate', batchId, why: `failure of ${data.file_upload_id} already counted`}
    }
    this.completeIfDone(batchId, correlationId, now, step)
    return {kind: 'failure-counted', batchId, fileUploadId: data.file_upload_id}
  }

  /** The rows a registration reconciles, removed from where they wait (a seam for test variants). */
  protected takePending(batchId: string): PendingRow[] {
    return this.pending.drain(batchId)
  }

  /** The fix: keep an early event durably until its batch registers (once per batch and ref). */
  protected buffer(batchId: string, kind: PendingKind, ref: string, data: object, now: Micros): ElsOutcome {
    if (!this.pending.store(batchId, kind, ref, JSON.stringify(data), now)) {
      return {kind: 'duplicate', batchId, why: `${ref} is already buffered`}
    }
    this.metrics.pendingStored++
    return {kind: 'buffered', batchId, ref}
  }

  /** Content for a registered batch: dedup by (batch, text_storage_id), then the first free slot. */
  protected assign(
    data: DataOf<typeof TOPICS.essayContentProvisioned>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const batchId = data.batch_id
    const holder = this.stmt.slotHolding.get(batchId, data.text_storage_id) as string | undefined
    if (holder !== undefined) return {kind: 'duplicate', batchId, why: `${data.text_storage_id} already fills ${holder}`}
    // A validation failure counts a failed slot (docs/domain.md#the-consumer): it holds one, so
    // once assigned + failed reach the expected count no slot is free, whatever the table says.
    const tracker = this.trackerRow(batchId)!
    const full = (this.stmt.filledCount.get(batchId, batchId) as number) >= tracker.expected_count
    const essayId = full ? undefined : (this.stmt.freeSlot.get(batchId) as string | undefined)
    if (essayId === undefined) {
      this.emitExcess(batchId, data.original_file_name, data.text_storage_id, 'NO_AVAILABLE_SLOT', correlationId, now, step)
      return {kind: 'excess', batchId, textStorageId: data.text_storage_id, reason: 'NO_AVAILABLE_SLOT'}
    }
    this.stmt.claimSlot.run(data.text_storage_id, data.file_upload_id, essayId)
    this.emit(
      TOPICS.essaySlotAssigned,
      batchId,
      {batch_id: batchId, essay_id: essayId, file_upload_id: data.file_upload_id, text_storage_id: data.text_storage_id},
      correlationId,
      now,
      step,
    )
    return {kind: 'assigned', batchId, essayId, textStorageId: data.text_storage_id}
  }

  /** Completion: assigned + failed == expected, emitted once thanks to the ready_at guard. */
  protected completeIfDone(batchId: string, correlationId: string, now: Micros, step: Step): void {
    const tracker = this.trackerRow(batchId)!
    if (tracker.ready_at !== null) return
    if ((this.stmt.filledCount.get(batchId, batchId) as number) < tracker.expected_count) return
    this.stmt.markReady.run(now, batchId)
    this.trackersRead?.set(batchId, {expected_count: tracker.expected_count, ready_at: now})
    const ready = this.stmt.readyEssays.all(batchId) as {essay_id: string; text_storage_id: string}[]
    this.emit(TOPICS.batchEssaysReady, batchId, {batch_id: batchId, ready_essays: ready}, correlationId, now, step)
    step.completed = true
  }

  /** A batch's tracker row, read once per handling where that is safe (trackersRead). */
  private trackerRow(batchId: string): TrackerRow | undefined {
    const read = this.trackersRead
    if (read === undefined) return this.stmt.tracker.get(batchId) as TrackerRow | undefined
    if (read.has(batchId)) return read.get(batchId)
    const row = this.stmt.tracker.get(batchId) as TrackerRow | undefined
    read.set(batchId, row)
    return row
  }

  protected expireInTx(storedBefore: Micros, now: Micros): PendingRow[] {
    const rows = this.pending.takeExpired(storedBefore)
    for (const row of rows) {
      this.metrics.expired++
      if (row.kind === 'content') {
        const data = JSON.parse(row.payload) as DataOf<typeof TOPICS.essayContentProvisioned>
        this.emitExcess(row.batch_id, data.original_file_name, row.ref, 'BATCH_NEVER_REGISTERED', `corr-${row.batch_id}`, now, {
          emitted: [],
          completed: false,
        })
      }
    }
    return rows
  }

  protected emitExcess(
    batchId: string,
    fileName: string,
    textStorageId: string,
    reason: ExcessReason,
    correlationId: string,
    now: Micros,
    step: Step,
  ): void {
    this.emit(
      TOPICS.excessContentProvisioned,
      batchId,
      {batch_id: batchId, original_file_name: fileName, text_storage_id: textStorageId, reason},
      correlationId,
      now,
      step,
    )
  }

  protected emit<T extends EventType>(type: T, batchId: string, data: DataOf<T>, correlationId: string, now: Micros, step: Step): void {
    addElsEvent(this.outbox, this.ids, type, batchId, data, correlationId, now)
    step.emitted.push(type)
  }

  trackers(): {batchId: string; expected: number; assigned: number; failed: number; readyAt: Micros | undefined}[] {
    const rows = statement(this.db, 
        `SELECT t.batch_id AS batchId, t.expected_count AS expected, t.ready_at AS readyAt,
           (SELECT count(*) FROM essay_slots s WHERE s.batch_id = t.batch_id AND s.status = 'READY_FOR_PROCESSING') AS assigned,
           (SELECT count(*) FROM failed_uploads f WHERE f.batch_id = t.batch_id) AS failed
         FROM batch_trackers t ORDER BY t.rowid`,
      )
      .all() as {batchId: string; expected: number; readyAt: number | null; assigned: number; failed: number}[]
    return rows.map((row) => ({...row, readyAt: row.readyAt ?? undefined}))
  }

  /** What the checker reads of ELS's tables: the trackers and the rows still buffered. */
  state(): ConsumerState {
    return {
      trackers: this.trackers(),
      pending: this.pending.all().map((row) => ({batchId: row.batch_id, ref: row.ref, kind: row.kind, storedAt: row.stored_at})),
    }
  }

  close(): void {
    closeServiceDb(this.db)
  }
}
