import type Database from 'better-sqlite3'

import {addElsEvent} from '../outbox/els-outbox-event.js'
import {type DataOf, type Envelope, SHORT_NAME} from '../domain/events.js'
import type {IdSource} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import {InputError} from '../input-error.js'
import {formatSeconds, type Micros} from '../kernel/time.js'
import {Outbox} from '../outbox/outbox.js'
import type {ElsContext, ElsEmitted, ElsHandler, ElsHandlerDefinition} from './els-handler.js'
import type {ElsHandled, HandlerCall} from './handled.js'
import {HandlerRetries, type MessageCall} from './handler-retries.js'
import type {Delivery, Expired, InputConsumer} from './input-consumer.js'
import {NondeterminismTrap} from './nondeterminism-trap.js'
import {ScopedDatabase} from './scoped-database.js'

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
  /** Dead letters, retries and the timer's give-up, shared with the consumer process. */
  private readonly retries: HandlerRetries
  private readonly messageTx: (envelope: Envelope, call: MessageCall, now: Micros) => ElsHandled
  private readonly timerTx: (now: Micros) => Expired[]
  private lastNow: Micros = 0

  constructor(
    private readonly loaded: LoadedHandler,
    private readonly ids: IdSource,
    private readonly config: {instance: string; pendingTimeout: Micros},
    db: Database.Database,
  ) {
    this.outbox = new Outbox(db)
    this.scoped = new ScopedDatabase(db)
    this.handler = this.create()
    // Whatever the handler throws is a handler failure (a crash or a broken contract is not: HandlerRetries lets those through).
    this.retries = new HandlerRetries(db, messageOf)
    this.messageTx = db.transaction((envelope: Envelope, call: MessageCall, now: Micros) => this.call(envelope, call, now))
    this.timerTx = db.transaction((now: Micros) => this.timer(now))
  }

  /** A process restart: the handler's process memory is gone; a new one starts over the same database. */
  restart(): void {
    this.handler = this.create()
  }

  handle(delivery: Delivery, now: Micros): ElsHandled {
    this.lastNow = now
    return this.retries.handle(
      delivery,
      (call, envelope) => `${this.loaded.path}: ${call} threw on ${describeEvent(envelope)}`,
      (envelope, call) => this.messageTx(envelope, call, now),
    )
  }

  nextTimerAt(): Micros | undefined {
    const next = this.handler.nextTimerAt
    if (next === undefined || this.retries.timerStopped) return undefined
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
    return this.retries.timer(() => this.timerTx(now))
  }

  private create(): ElsHandler {
    return this.guarded('create', () => `creating the handler of ${this.config.instance}`, undefined, () =>
      this.loaded.definition.create({instance: this.config.instance, pendingTimeout: this.config.pendingTimeout}),
    )
  }

  /** One message's handler call, inside its transaction. */
  private call(envelope: Envelope, call: MessageCall, now: Micros): ElsHandled {
    const emitted: ElsEmitted[] = []
    const ctx = this.context(now, envelope.correlation_id, emitted)
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
}

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
