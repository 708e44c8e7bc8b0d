// The buffer fix, written as a team would write its own ELS consumer against racelab's handler
// interface (docs/handlers.md). Check it:
//
//   racelab verify --handler examples/handlers/buffer.ts --ci
//
// Content (or a validation failure) for a batch ELS does not know yet waits in pending_content,
// durably, in the same transaction as the message; the registration creates the slots and drains
// the batch's pending rows in ITS transaction; rows older than the pending timeout are expired and
// reported as ExcessContentProvisioned(BATCH_NEVER_REGISTERED), never dropped silently.
import type {
  BatchEssaysRegistered,
  ElsContext,
  ElsDatabase,
  ElsHandler,
  ElsHandlerConfig,
  ElsHandlerDefinition,
  ElsReadContext,
  EssayContentProvisioned,
  EssayValidationFailed,
} from 'racelab'

const READY = 'huleedu.els.batch.essays.ready.v1'
const EXCESS = 'huleedu.els.excess.content.provisioned.v1'
const ASSIGNED = 'huleedu.els.essay.slot.assigned.v1'

type Content = EssayContentProvisioned['data']
type Tracker = {expected_count: number; ready_at: number | null}

export function migrate(db: ElsDatabase): void {
  db.exec(`
    CREATE TABLE processed_events (event_id TEXT PRIMARY KEY);
    CREATE TABLE batch_trackers (batch_id TEXT PRIMARY KEY, expected_count INTEGER NOT NULL, ready_at INTEGER);
    CREATE TABLE essay_slots (
      essay_id TEXT PRIMARY KEY,
      batch_id TEXT NOT NULL,
      slot_index INTEGER NOT NULL,
      text_storage_id TEXT,
      UNIQUE (batch_id, text_storage_id)
    );
    CREATE TABLE failed_uploads (batch_id TEXT NOT NULL, file_upload_id TEXT NOT NULL, PRIMARY KEY (batch_id, file_upload_id));
    CREATE TABLE pending_content (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      batch_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      ref TEXT NOT NULL,
      payload TEXT NOT NULL,
      stored_at INTEGER NOT NULL,
      UNIQUE (batch_id, ref)
    );
  `)
}

/** The fix, as a class a team would keep (each post-fix bug next to it overrides one of its decisions). */
export class BufferHandler implements ElsHandler {
  constructor(protected readonly config: ElsHandlerConfig) {}

  onRegistered(event: BatchEssaysRegistered, ctx: ElsContext): void {
    if (!this.firstDelivery(event.event_id, ctx)) return
    const {batch_id: batch, essay_ids: essays, expected_essay_count: expected} = event.data
    if (this.tracker(batch, ctx) !== undefined) return // a re-sent registration
    ctx.db.prepare('INSERT INTO batch_trackers (batch_id, expected_count) VALUES (?, ?)').run(batch, expected)
    const slot = ctx.db.prepare('INSERT INTO essay_slots (essay_id, batch_id, slot_index) VALUES (?, ?, ?)')
    essays.forEach((essay, index) => slot.run(essay, batch, index))
    this.drain(batch, ctx)
    this.completeIfDone(batch, ctx)
  }

  onContent(event: EssayContentProvisioned, ctx: ElsContext): void {
    if (!this.firstDelivery(event.event_id, ctx)) return
    const data = event.data
    if (this.tracker(data.batch_id, ctx) === undefined) {
      this.buffer(data.batch_id, 'content', data.text_storage_id, data, ctx)
      return
    }
    this.assign(data, ctx)
    this.completeIfDone(data.batch_id, ctx)
  }

  onValidationFailed(event: EssayValidationFailed, ctx: ElsContext): void {
    if (!this.firstDelivery(event.event_id, ctx)) return
    const {batch_id: batch, file_upload_id: upload} = event.data
    if (this.tracker(batch, ctx) === undefined) {
      this.bufferFailure(batch, upload, event.data, ctx)
      return
    }
    ctx.db.prepare('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)').run(batch, upload)
    this.completeIfDone(batch, ctx)
  }

  nextTimerAt(ctx: ElsReadContext): number | undefined {
    const oldest = ctx.db.prepare('SELECT min(stored_at) AS at FROM pending_content').get() as {at: number | null}
    return oldest.at === null ? undefined : oldest.at + this.config.pendingTimeout
  }

  onTimer(ctx: ElsContext): void {
    const expired = ctx.db.prepare('SELECT * FROM pending_content WHERE stored_at <= ? ORDER BY id').all(ctx.now - this.config.pendingTimeout) as Pending[]
    for (const row of expired) {
      ctx.db.prepare('DELETE FROM pending_content WHERE id = ?').run(row.id)
      if (row.kind !== 'content') continue // no event type fits an expired failure
      const data = JSON.parse(row.payload) as Content
      ctx.emit(EXCESS, {batch_id: row.batch_id, original_file_name: data.original_file_name, text_storage_id: row.ref, reason: 'BATCH_NEVER_REGISTERED'})
    }
  }

  /** At-least-once delivery: a redelivered message (same event_id) changes nothing. */
  protected firstDelivery(eventId: string, ctx: ElsContext): boolean {
    return ctx.db.prepare('INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)').run(eventId).changes > 0
  }

  protected tracker(batch: string, ctx: ElsContext): Tracker | undefined {
    return ctx.db.prepare('SELECT expected_count, ready_at FROM batch_trackers WHERE batch_id = ?').get(batch) as Tracker | undefined
  }

  /** An early event waits durably, once per (batch, ref): a re-send hits the unique key. */
  protected buffer(batch: string, kind: 'content' | 'failure', ref: string, data: object, ctx: ElsContext): void {
    ctx.db
      .prepare('INSERT OR IGNORE INTO pending_content (batch_id, kind, ref, payload, stored_at) VALUES (?, ?, ?, ?, ?)')
      .run(batch, kind, ref, JSON.stringify(data), ctx.now)
  }

  protected bufferFailure(batch: string, upload: string, data: object, ctx: ElsContext): void {
    this.buffer(batch, 'failure', upload, data, ctx)
  }

  /** The registration's transaction reconciles every pending row of the batch. */
  protected drain(batch: string, ctx: ElsContext): void {
    const rows = ctx.db.prepare('SELECT * FROM pending_content WHERE batch_id = ? ORDER BY id').all(batch) as Pending[]
    ctx.db.prepare('DELETE FROM pending_content WHERE batch_id = ?').run(batch)
    for (const row of rows) {
      if (row.kind === 'content') this.assign(JSON.parse(row.payload) as Content, ctx)
      else ctx.db.prepare('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)').run(batch, row.ref)
    }
  }

  /**
   * Deduplicate by (batch, text_storage_id): relays re-send with a new event_id. Then the first
   * free slot, or excess. A validation failure holds a slot ("a failed slot"), so once assigned +
   * failed reach the expected count nothing is free and BatchEssaysReady stays final.
   */
  protected assign(data: Content, ctx: ElsContext): void {
    const batch = data.batch_id
    if (this.holder(batch, data.text_storage_id, ctx) !== undefined) return
    const free = ctx.db
      .prepare(
        `SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NULL
           AND (SELECT count(*) FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL)
             + (SELECT count(*) FROM failed_uploads WHERE batch_id = ?)
             < (SELECT expected_count FROM batch_trackers WHERE batch_id = ?)
         ORDER BY slot_index LIMIT 1`,
      )
      .get(batch, batch, batch, batch) as {essay_id: string} | undefined
    if (free === undefined) {
      ctx.emit(EXCESS, {batch_id: batch, original_file_name: data.original_file_name, text_storage_id: data.text_storage_id, reason: 'NO_AVAILABLE_SLOT'})
      return
    }
    ctx.db.prepare('UPDATE essay_slots SET text_storage_id = ? WHERE essay_id = ?').run(data.text_storage_id, free.essay_id)
    ctx.emit(ASSIGNED, {batch_id: batch, essay_id: free.essay_id, file_upload_id: data.file_upload_id, text_storage_id: data.text_storage_id})
  }

  protected holder(batch: string, text: string, ctx: ElsContext): string | undefined {
    const row = ctx.db.prepare('SELECT essay_id FROM essay_slots WHERE batch_id = ? AND text_storage_id = ?').get(batch, text) as {essay_id: string} | undefined
    return row?.essay_id
  }

  /** Complete once: assigned + failed == expected, guarded by ready_at, in the same transaction. */
  protected completeIfDone(batch: string, ctx: ElsContext): void {
    const tracker = this.tracker(batch, ctx)
    if (tracker === undefined || !this.mayComplete(tracker)) return
    const counts = ctx.db
      .prepare(
        `SELECT (SELECT count(*) FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL) AS assigned,
                (SELECT count(*) FROM failed_uploads WHERE batch_id = ?) AS failed`,
      )
      .get(batch, batch) as {assigned: number; failed: number}
    if (counts.assigned + counts.failed < tracker.expected_count) return
    ctx.db.prepare('UPDATE batch_trackers SET ready_at = ? WHERE batch_id = ?').run(ctx.now, batch)
    const ready = ctx.db
      .prepare('SELECT essay_id, text_storage_id FROM essay_slots WHERE batch_id = ? AND text_storage_id IS NOT NULL ORDER BY slot_index')
      .all(batch) as {essay_id: string; text_storage_id: string}[]
    ctx.emit(READY, {batch_id: batch, ready_essays: ready})
  }

  protected mayComplete(tracker: Tracker): boolean {
    return tracker.ready_at === null
  }
}

type Pending = {id: number; batch_id: string; kind: 'content' | 'failure'; ref: string; payload: string; stored_at: number}

export default {migrate, create: (config) => new BufferHandler(config)} satisfies ElsHandlerDefinition
