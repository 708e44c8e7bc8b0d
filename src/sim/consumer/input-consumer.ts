import type {BusMessage} from '../bus/bus.js'
import {parseEnvelope, type ParseResult} from '../domain/events.js'
import type {Micros} from '../kernel/time.js'
import type {Outbox} from '../outbox/outbox.js'
import type {ConsumerState} from './consumer-state.js'
import type {ElsHandled} from './handled.js'

/** A message as the consumer loop hands it over: the bus message and its envelope, parsed once. */
export type Delivery = BusMessage & {readonly envelope: ParseResult}

export function deliveryOf(message: BusMessage): Delivery {
  return {...message, envelope: parseEnvelope(message.value)}
}

/** Something a consumer's timer step reported: a buffered event that waited too long. */
export interface Expired {
  batch: string
  kind: 'content' | 'failure'
  ref: string
}

/**
 * The consumer seam: "a consumer of ELS's input topics", as the consumer loop of either shell
 * drives it (docs/architecture.md#the-consumer-seam). racelab's own ELS strategies (naive, buffer)
 * are one implementation, the post-fix-bug variants in the tests others; a team's own consumer
 * plugs in here too. Rules for an implementation: all it knows of time is `now`; each `handle`
 * works inside ONE transaction of its own database and returns what it wrote to its outbox; a
 * throw means that transaction rolled back (the loop retries the message); state kept only in
 * process memory is lost at `restart`.
 */
export interface InputConsumer {
  /**
   * When the loop commits a message's offset: after its handling (the default: at-least-once), or
   * as soon as the message was fetched (`on-fetch`: at-most-once, as an auto-committing consumer
   * does; a crash before the handling then loses the message).
   */
  readonly offsetCommit?: 'after-handling' | 'on-fetch'
  /** ELS's outbox, in the consumer's database: ELS's relay publishes it, the checker reads what it kept. */
  readonly outbox: Outbox
  /**
   * The durable state the checker reads (trackers, buffered rows), when racelab knows the
   * consumer's tables; absent for a consumer whose schema is its own (a user's handler).
   */
  state?(): ConsumerState
  /** The loop took the message; its handling time starts now (a check-then-act consumer reads here). */
  prepare?(delivery: Delivery, now: Micros): void
  handle(delivery: Delivery, now: Micros): ElsHandled
  /** When the consumer next wants its timer step (pending expiry), if at all. */
  nextTimerAt?(): Micros | undefined
  /** The timer step, in one transaction: what it reported. */
  onTimer?(now: Micros): Expired[]
  /** The process restarted (a crash or a rebalance away): process memory is gone. */
  restart(): void
}
