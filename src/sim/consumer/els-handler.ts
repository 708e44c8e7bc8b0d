import type {DataOf, EnvelopeOf} from '../domain/events.js'
import type {TOPICS} from '../domain/topics.js'

/**
 * The interface a team's own ELS consumer implements so racelab can check it
 * (docs/handlers.md). A handler module's default export is an `ElsHandlerDefinition`:
 *
 * ```ts
 * import type {ElsHandlerDefinition} from 'racelab'
 * export default {migrate(db) {...}, create(config) {return {onRegistered, onContent, onValidationFailed}}} satisfies ElsHandlerDefinition
 * ```
 *
 * racelab's consumer loop calls the handler once per message, inside ONE transaction of ELS's
 * database: everything the call writes, through `ctx.db` and `ctx.emit`, commits together when it
 * returns, and rolls back when it throws (the message is then retried, and dead-lettered after a
 * few tries). The same message may arrive more than once (Kafka is at-least-once, and relays
 * re-send with a NEW event_id): deduplicating is the handler's job.
 *
 * A handler must not read the wall clock (`Date.now()`, `new Date()`), draw randomness
 * (`Math.random()`), open the network, or keep state only in process memory: racelab traps the
 * first two while a handler runs, and a restart (a new handler from `create`) loses the last.
 */
export interface ElsHandlerDefinition {
  /** Creates the handler's schema. Called once per database, over a database that holds only racelab's `outbox` and `dead_letters`. */
  migrate(db: ElsDatabase): void
  /** A new handler: one per ELS instance when a run starts, and a fresh one after every restart of that instance. */
  create(config: ElsHandlerConfig): ElsHandler
}

export interface ElsHandlerConfig {
  /** `els`, or `els-N` when a run has several instances (they share one database). */
  instance: string
  /** How long an early event may wait for its batch's registration before it expires, in microseconds (`--delay pending-timeout=`; default 24 h). */
  pendingTimeout: number
}

/** What ELS consumes, each parsed and checked against its schema before the handler sees it. */
export type BatchEssaysRegistered = EnvelopeOf<typeof TOPICS.batchEssaysRegistered>
export type EssayContentProvisioned = EnvelopeOf<typeof TOPICS.essayContentProvisioned>
export type EssayValidationFailed = EnvelopeOf<typeof TOPICS.essayValidationFailed>

/** The events ELS may write to its outbox (racelab's relay publishes them, keyed by batch id). */
export type ElsEmitted = typeof TOPICS.batchEssaysReady | typeof TOPICS.excessContentProvisioned | typeof TOPICS.essaySlotAssigned

export interface ElsHandler {
  onRegistered(event: BatchEssaysRegistered, ctx: ElsContext): void
  onContent(event: EssayContentProvisioned, ctx: ElsContext): void
  onValidationFailed(event: EssayValidationFailed, ctx: ElsContext): void
  /**
   * When this handler next wants `onTimer` (say, when its oldest buffered event expires), in
   * virtual microseconds; undefined for never. Asked after every message and every timer call.
   * Read-only: the database here is for reading.
   */
  nextTimerAt?(ctx: ElsReadContext): number | undefined
  /** The timer fired (one transaction, like a message): expire what waited too long. */
  onTimer?(ctx: ElsContext): void
}

/** What a read-only call gets: the database and the virtual time. */
export interface ElsReadContext {
  /** ELS's own SQLite database, valid during this call only. */
  readonly db: ElsDatabase
  /** Virtual time in microseconds since the run started. */
  readonly now: number
}

/** What a message or a timer call gets: its transaction's database, the virtual time, and ELS's outbox. */
export interface ElsContext extends ElsReadContext {
  /**
   * Writes one event to ELS's outbox, in this call's transaction. racelab builds the envelope
   * (event_id from the seed, event_timestamp from `now`, source `els`, the handled message's
   * correlation_id, or `corr-<batch_id>` in a timer call) and keys it by `data.batch_id`.
   */
  emit<T extends ElsEmitted>(type: T, data: DataOf<T>): void
}

/** The part of better-sqlite3's API a handler may use: statements, and `exec` for DDL. No transactions: the call is one already. */
export interface ElsDatabase {
  prepare(sql: string): ElsStatement
  exec(sql: string): void
}

export type SqlValue = string | number | bigint | null | Uint8Array

export interface ElsStatement {
  run(...params: SqlValue[]): {changes: number; lastInsertRowid: number | bigint}
  get(...params: SqlValue[]): unknown
  all(...params: SqlValue[]): unknown[]
}
