import type Database from 'better-sqlite3'

import type {BusMessage} from '../bus/bus.js'
import {addElsEvent} from '../outbox/els-outbox-event.js'
import {type DataOf, type Envelope, SHORT_NAME} from '../domain/events.js'
import type {IdSource} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import {InputError} from '../input-error.js'
import {formatSeconds, type Micros} from '../kernel/time.js'
import {Outbox} from '../outbox/outbox.js'
import {statement} from '../sqlite/statements.js'
import type {ElsContext, ElsEmitted, ElsHandler, ElsHandlerDefinition} from './els-handler.js'
import type {ElsHandled, HandlerCall} from './handled.js'
import type {Delivery, Expired, InputConsumer} from './input-consumer.js'
import {NondeterminismTrap} from './nondeterminism-trap.js'
import {ScopedDatabase} from './scoped-database.js'

/** A message whose handler call threw this many times is dead-lettered, and the consumer goes on. */
export const MAX_HANDLER_TRIES = 5

/** The register-db-error fault, as a handler meets it: a write of a registration fails. */
export class InjectedHandlerDbError extends Error {
  override readonly name = 'InjectedDbError'
}

/** A loaded handler module: where it came from, and its definition. */
export interface LoadedHandler {
  /** The path as the user gave it (reports and reproduce commands show it). */
  path: string
  definition: ElsHandlerDefinition
}

/**
 * A user's handler behind the consumer seam (docs/handlers.md): racelab's consumer loop drives it
 * as it drives its own ELS. This object is the ELS process's plumbing (schema check, dead letters,
 * the outbox, the transaction); the handler from `create` is its process memory, so a restart
 * replaces it with a new one over the same database. Every call runs with the wall clock and
 * randomness trapped.
 */
export class HandlerConsumer implements InputConsumer {
  readonly outbox: Outbox
  /** The register-db-error fault: asked once per registration, at the handler's third write (after, typically, its event marker and its tracker). */
  failRegistrationMidway: () => boolean = () => false

  private handler: ElsHandler
  private readonly scoped: ScopedDatabase
  private readonly trap = new NondeterminismTrap()
  private readonly tries = new Map<string, number>()
  private readonly messageTx: (delivery: Delivery, envelope: Envelope, now: Micros) => ElsHandled
  private readonly timerTx: (now: Micros) => Expired[]
  private readonly deadLetterStmt: Database.Statement
  private lastNow: Micros = 0
  private timerFailures = 0

  constructor(
    private readonly loaded: LoadedHandler,
    private readonly ids: IdSource,
    private readonly config: {instance: string; pendingTimeout: Micros},
    db: Database.Database,
  ) {
    this.outbox = new Outbox(db)
    this.scoped = new ScopedDatabase(db)
    this.handler = this.create()
    this.deadLetterStmt = statement(db, 'INSERT INTO dead_letters (topic, partition, kafka_offset, error, value) VALUES (?, ?, ?, ?, ?)')
    this.messageTx = db.transaction((delivery: Delivery, envelope: Envelope, now: Micros) => this.call(delivery, envelope, now))
    this.timerTx = db.transaction((now: Micros) => this.timer(now))
  }

  /** A process restart: the handler's process memory is gone; a new one starts over the same database. */
  restart(): void {
    this.handler = this.create()
  }

  handle(delivery: Delivery, now: Micros): ElsHandled {
    this.lastNow = now
    const parsed = delivery.envelope
    if (!parsed.ok) return this.deadLetter(delivery, parsed.error)
    const envelope = parsed.envelope
    if (!(envelope.event_type in CALLS)) return this.deadLetter(delivery, `ELS does not consume ${envelope.event_type}`)
    const key = `${delivery.topic}/${delivery.partition}/${delivery.offset}`
    try {
      const handled = this.messageTx(delivery, envelope, now)
      this.tries.delete(key)
      return handled
    } catch (error) {
      if (error instanceof InputError) throw error
      // The transaction rolled back. Retried by the consumer loop until the last try, then dead-lettered.
      const tries = (this.tries.get(key) ?? 0) + 1
      const call = CALLS[envelope.event_type as keyof typeof CALLS]
      const what = `${this.loaded.path}: ${call} threw on ${describeEvent(envelope)}`
      if (tries < MAX_HANDLER_TRIES) {
        this.tries.set(key, tries)
        throw new Error(`handler failure: ${what} (try ${tries} of ${MAX_HANDLER_TRIES}): ${messageOf(error)}`)
      }
      this.tries.delete(key)
      return this.deadLetter(delivery, `handler failure: ${what} ${MAX_HANDLER_TRIES} times: ${messageOf(error)}`)
    }
  }

  nextTimerAt(): Micros | undefined {
    const next = this.handler.nextTimerAt
    if (next === undefined || this.timerFailures >= MAX_HANDLER_TRIES) return undefined
    const at = this.guarded('nextTimerAt', () => `asked for its next timer at ${formatSeconds(this.lastNow)}`, 'read', () =>
      next.call(this.handler, {db: this.scoped, now: this.lastNow}),
    )
    if (at !== undefined && !Number.isFinite(at)) {
      throw new InputError(`${this.loaded.path}: nextTimerAt returned ${String(at)}; it returns virtual microseconds (a number) or undefined`)
    }
    return at === undefined ? undefined : Math.round(at)
  }

  onTimer(now: Micros): Expired[] {
    this.lastNow = now
    if (this.handler.onTimer === undefined) return []
    try {
      const expired = this.timerTx(now)
      this.timerFailures = 0
      return expired
    } catch (error) {
      if (error instanceof InputError) throw error
      // Rolled back; after MAX_HANDLER_TRIES failures in a row racelab stops calling the timer,
      // and whatever it should have expired is judged as lost.
      this.timerFailures++
      return []
    }
  }

  private create(): ElsHandler {
    return this.guarded('create', () => `creating the handler of ${this.config.instance}`, undefined, () =>
      this.loaded.definition.create({instance: this.config.instance, pendingTimeout: this.config.pendingTimeout}),
    )
  }

  /** One message's handler call, inside its transaction. */
  private call(delivery: Delivery, envelope: Envelope, now: Micros): ElsHandled {
    const emitted: ElsEmitted[] = []
    const ctx = this.context(now, envelope.correlation_id, emitted)
    const call = CALLS[envelope.event_type as keyof typeof CALLS]
    let writes = 0
    this.scoped.beforeWrite =
      envelope.event_type === TOPICS.batchEssaysRegistered
        ? () => {
            if (++writes === 3 && this.failRegistrationMidway()) throw new InjectedHandlerDbError('disk I/O error midway through a registration (register-db-error)')
          }
        : undefined
    try {
      this.guarded(call, () => `handling ${describeEvent(envelope)} at ${formatSeconds(now)}`, 'write', () => {
        const handler = this.handler
        switch (envelope.event_type) {
          case TOPICS.batchEssaysRegistered:
            return handler.onRegistered(envelope, ctx)
          case TOPICS.essayContentProvisioned:
            return handler.onContent(envelope, ctx)
          case TOPICS.essayValidationFailed:
            return handler.onValidationFailed(envelope, ctx)
        }
      })
    } finally {
      this.scoped.beforeWrite = undefined
    }
    return {
      outcome: {kind: 'handler', batchId: envelope.data.batch_id, call, ref: refOf(envelope)},
      emitted,
      completed: emitted.includes(TOPICS.batchEssaysReady),
    }
  }

  private timer(now: Micros): Expired[] {
    const expired: Expired[] = []
    const emitted: ElsEmitted[] = []
    const ctx = this.context(now, undefined, emitted, (type, data) => {
      if (type === TOPICS.excessContentProvisioned && (data as DataOf<typeof TOPICS.excessContentProvisioned>).reason === 'BATCH_NEVER_REGISTERED') {
        expired.push({batch: data.batch_id, kind: 'content', ref: (data as DataOf<typeof TOPICS.excessContentProvisioned>).text_storage_id})
      }
    })
    this.guarded('onTimer', () => `its timer at ${formatSeconds(now)}`, 'write', () => this.handler.onTimer!(ctx))
    return expired
  }

  private context(now: Micros, correlationId: string | undefined, emitted: ElsEmitted[], onEmit?: (type: ElsEmitted, data: {batch_id: string}) => void): ElsContext {
    return {
      db: this.scoped,
      now,
      emit: (type, data) => {
        if (!(type in EMITTABLE)) throw new Error(`ctx.emit: ELS emits ${Object.values(EMITTABLE).join(', ')}, not ${String(type)}`)
        const batchId = data.batch_id
        addElsEvent(this.outbox, this.ids, type, batchId, data as DataOf<typeof type>, correlationId ?? `corr-${batchId}`, now)
        emitted.push(type)
        onEmit?.(type, data)
      },
    }
  }

  /** Runs one call of the handler's code: the database valid in `scope`, the clock and randomness trapped. */
  private guarded<T>(call: HandlerCall | 'create' | 'nextTimerAt', what: () => string, scope: 'write' | 'read' | undefined, work: () => T): T {
    const run = (): T => this.trap.run(() => `${this.loaded.path}, ${call}, ${what()}`, work)
    return scope === undefined ? run() : this.scoped.within(scope, run)
  }

  private deadLetter(message: BusMessage, error: string): ElsHandled {
    this.deadLetterStmt.run(message.topic, message.partition, message.offset, error, message.value)
    return {outcome: {kind: 'dead-lettered', error}, emitted: [], completed: false}
  }
}

const CALLS = {
  [TOPICS.batchEssaysRegistered]: 'onRegistered',
  [TOPICS.essayContentProvisioned]: 'onContent',
  [TOPICS.essayValidationFailed]: 'onValidationFailed',
} as const satisfies Partial<Record<Envelope['event_type'], HandlerCall>>

const EMITTABLE: Record<ElsEmitted, string> = {
  [TOPICS.batchEssaysReady]: 'BatchEssaysReady',
  [TOPICS.excessContentProvisioned]: 'ExcessContentProvisioned',
  [TOPICS.essaySlotAssigned]: 'EssaySlotAssigned',
}

/** The id a message is about: its text, its upload or its batch. */
export function refOf(envelope: Envelope): string {
  switch (envelope.event_type) {
    case TOPICS.essayContentProvisioned:
      return envelope.data.text_storage_id
    case TOPICS.essayValidationFailed:
      return envelope.data.file_upload_id
    default:
      return envelope.data.batch_id
  }
}

/** `EssayContentProvisioned text-b1-f1 (batch b1, event 3f2a…)`: the event a report names. */
export function describeEvent(envelope: Envelope): string {
  const ref = refOf(envelope)
  const batch = ref === envelope.data.batch_id ? '' : `batch ${envelope.data.batch_id}, `
  return `${SHORT_NAME[envelope.event_type]} ${ref} (${batch}event ${envelope.event_id})`
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
