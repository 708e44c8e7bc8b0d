import type Database from 'better-sqlite3'

import type {BusMessage} from '../bus/bus.js'
import type {Envelope} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'
import {InputError} from '../input-error.js'
import {statement} from '../sqlite/statements.js'
import type {ElsHandled, HandlerCall} from './handled.js'
import type {Delivery, Expired} from './input-consumer.js'
import {ProcessCrash} from './process-crash.js'

/** A message whose handler call failed this many times is dead-lettered, and the consumer goes on. */
export const MAX_HANDLER_TRIES = 5

/** The handler call each input event becomes (docs/handlers.md). */
export const HANDLER_CALLS = {
  [TOPICS.batchEssaysRegistered]: 'onRegistered',
  [TOPICS.essayContentProvisioned]: 'onContent',
  [TOPICS.essayValidationFailed]: 'onValidationFailed',
} as const satisfies Partial<Record<Envelope['event_type'], HandlerCall>>

export type MessageCall = (typeof HANDLER_CALLS)[keyof typeof HANDLER_CALLS]

/**
 * What ELS's process does around a team's consumer, a handler module or a consumer process alike
 * (docs/handlers.md): a message that does not parse, or that ELS does not consume, is
 * dead-lettered; a failed call rolled back and is retried by the consumer loop until the last
 * try, then dead-lettered; a timer that fails MAX_HANDLER_TRIES times in a row is no longer
 * called. A broken contract (InputError) stops the run, and a simulated crash (ProcessCrash)
 * unwinds: neither is a handler failure.
 */
export class HandlerRetries {
  private readonly tries = new Map<string, number>()
  private readonly deadLetterStmt: Database.Statement
  private timerFailures = 0

  /** `failure` says what of a throw is a handler failure: its message, or undefined to let it through. */
  constructor(
    db: Database.Database,
    private readonly failure: (error: unknown) => string | undefined,
  ) {
    this.deadLetterStmt = statement(db, 'INSERT INTO dead_letters (topic, partition, kafka_offset, error, value) VALUES (?, ?, ?, ?, ?)')
  }

  /** One message: `tx` runs its call in one transaction; `what` names the failing call for the trace (`<who>: onContent threw on …`). */
  handle(delivery: Delivery, what: (call: MessageCall, envelope: Envelope) => string, tx: (envelope: Envelope, call: MessageCall) => ElsHandled): ElsHandled {
    const parsed = delivery.envelope
    if (!parsed.ok) return this.deadLetter(delivery, parsed.error)
    const envelope = parsed.envelope
    if (!(envelope.event_type in HANDLER_CALLS)) return this.deadLetter(delivery, `ELS does not consume ${envelope.event_type}`)
    const call = HANDLER_CALLS[envelope.event_type as keyof typeof HANDLER_CALLS]
    const key = `${delivery.topic}/${delivery.partition}/${delivery.offset}`
    try {
      const handled = tx(envelope, call)
      this.tries.delete(key)
      return handled
    } catch (error) {
      const message = this.failureOf(error)
      const tries = (this.tries.get(key) ?? 0) + 1
      if (tries < MAX_HANDLER_TRIES) {
        this.tries.set(key, tries)
        throw new Error(`handler failure: ${what(call, envelope)} (try ${tries} of ${MAX_HANDLER_TRIES}): ${message}`)
      }
      this.tries.delete(key)
      return this.deadLetter(delivery, `handler failure: ${what(call, envelope)} ${MAX_HANDLER_TRIES} times: ${message}`)
    }
  }

  /** The timer gave up: it failed MAX_HANDLER_TRIES times in a row (what it should have expired is judged as lost). */
  get timerStopped(): boolean {
    return this.timerFailures >= MAX_HANDLER_TRIES
  }

  /** One timer step, `tx` in one transaction; a failure rolled it back and reports nothing. */
  timer(tx: () => Expired[]): Expired[] {
    try {
      const expired = tx()
      this.timerFailures = 0
      return expired
    } catch (error) {
      this.failureOf(error)
      this.timerFailures++
      return []
    }
  }

  /** The message of a handler failure; anything else is rethrown. */
  private failureOf(error: unknown): string {
    if (error instanceof ProcessCrash || error instanceof InputError) throw error
    const message = this.failure(error)
    if (message === undefined) throw error
    return message
  }

  private deadLetter(message: BusMessage, error: string): ElsHandled {
    this.deadLetterStmt.run(message.topic, message.partition, message.offset, error, message.value)
    return {outcome: {kind: 'dead-lettered', error}, emitted: [], completed: false}
  }
}
