import type {BusMessage} from '../bus/bus.js'
import type {Chooser} from '../kernel/chooser.js'
import type {ElsHandled} from '../consumer/handled.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {Clock} from './clock.js'
import {ELS_RESTART, HANDLE_RETRY} from './els-group.js'
import type {CommitBoundaries} from './commit-boundaries.js'
import {ProcessCrash, type ElsCrashPoint} from './crash-points.js'
import {deliveryOf, type InputConsumer} from '../consumer/input-consumer.js'
import {InputError} from '../input-error.js'

/**
 * One ELS instance's place in the consumer group, as a shell provides it: the memory bus's group
 * (pull: the member fetches when the loop is free) or a kafkajs consumer (push: kafkajs hands it
 * the next message once the previous one returned).
 */
export interface GroupMember {
  /** Joins the group; `joined` gets the number of partitions assigned. */
  join(joined: (partitions: number) => void): void
  /** Leaves the group now, committing nothing more. */
  leave(): void
  /**
   * Commits the offset after `message`. `done(false)`: the group rebalanced since `taken`
   * (Kafka rejects a commit from an old generation).
   */
  commit(message: BusMessage, taken: number, done: (accepted: boolean) => void): void
  /** The loop is free for its next message. */
  next(): void
}

export interface ConsumerFaults {
  /** Asked per handled message: crash after the transaction, before the offset commit? */
  crashBeforeCommit: () => boolean
  /** Asked per committed message: restart (lose process memory, leave and rejoin)? */
  restart: () => boolean
  /** The crash fault, asked at every step boundary (docs/domain.md#crashes); absent: never. */
  crash?: () => boolean
}

export interface ConsumerLoopOptions {
  clock: Clock
  chooser: Chooser
  /** `els`, or `els-N` with several instances. */
  instanceId: string
  consumer: InputConsumer
  /** Handling time per message. */
  handling: Delay
  faults: ConsumerFaults
  /** The consumer's database, where a crash can fall between two transactions of one handling. */
  commits?: CommitBoundaries
  trace: (event: TraceEvent) => void
  /** The message's transaction committed (its offset is not committed yet). */
  onHandled?: (message: BusMessage, handled: ElsHandled) => void
  /** A handling crashed after one of its transactions committed (its outbox may hold new rows). */
  onPartlyHandled?: () => void
  /** The message was handled and its offset committed (not after a crash). */
  onSettled?: (message: BusMessage) => void
  /** This instance left the group (crash or restart). */
  onDown?: () => void
  /** This instance is back in the group. */
  onRejoined?: () => void
}

/**
 * The ELS consumer loop, for both shells: take a message, wait the handling time, handle it in one
 * transaction through the consumer seam (a throw rolls back; the message is handled again after
 * HANDLE_RETRY), trace it, then crash before the commit or commit, and perhaps restart. A crash
 * or restart leaves the group, loses the consumer's process memory and rejoins after ELS_RESTART;
 * Kafka then redelivers from the committed offset. The crash fault may stop it at any boundary
 * between these steps, also between two transactions of one handling (`commits`).
 */
export class ConsumerLoop {
  private epoch = 0

  constructor(
    private readonly o: ConsumerLoopOptions,
    private readonly member: GroupMember,
  ) {}

  get instanceId(): string {
    return this.o.instanceId
  }

  /** Joins the group for the first time. */
  start(joined?: (partitions: number) => void): void {
    this.member.join((partitions) => joined?.(partitions))
  }

  /** The member took `message` for this loop; `taken` identifies the group generation it was taken in. */
  take(message: BusMessage, taken: number): void {
    const {clock} = this.o
    const delivery = deliveryOf(message)
    this.o.consumer.prepare?.(delivery, clock.now())
    const epoch = this.epoch
    if (this.o.consumer.offsetCommit !== 'on-fetch') {
      clock.after(draw(this.o.handling, this.o.chooser, 'els'), () => this.handle(delivery, taken, epoch), this.label('handle', message, epoch))
      return
    }
    // At-most-once: the offset is committed before the handling starts.
    this.member.commit(message, taken, (accepted) => {
      if (epoch !== this.epoch) return
      if (!accepted) this.o.trace({t: clock.now(), svc: this.o.instanceId, ev: 'commit-rejected', partition: message.partition, offset: message.offset})
      clock.after(draw(this.o.handling, this.o.chooser, 'els'), () => this.handle(delivery, taken, epoch), this.label('handle', message, epoch))
    })
  }

  private handle(message: ReturnType<typeof deliveryOf>, taken: number, epoch: number): void {
    if (epoch !== this.epoch) return // this instance crashed meanwhile
    const {clock, trace} = this.o
    const now = clock.now()
    const svc = this.o.instanceId
    const type = message.headers.event_type ?? message.topic
    if (this.crashes()) return this.crash(message, 'before-handling')
    let handled: ElsHandled
    try {
      const {commits} = this.o
      handled = commits
        ? commits.during(
            () => {
              if (this.crashes()) throw new ProcessCrash('crashed after a transaction')
            },
            () => this.o.consumer.handle(message, now),
          )
        : this.o.consumer.handle(message, now)
    } catch (error) {
      if (error instanceof ProcessCrash) {
        this.o.onPartlyHandled?.()
        return this.crash(message, 'after-transaction')
      }
      // A consumer that broke its contract (a handler reading the wall clock) stops the run.
      if (error instanceof InputError) throw error
      // The transaction rolled back; the offset stays uncommitted and the message is retried.
      trace({t: now, svc, ev: 'handle-failed', type, partition: message.partition, offset: message.offset, error: describe(error), retryIn: HANDLE_RETRY})
      clock.after(HANDLE_RETRY, () => this.handle(message, taken, epoch), this.label('retry', message, epoch))
      return
    }
    trace({t: now, svc, ev: 'handled', type, partition: message.partition, offset: message.offset, outcome: handled.outcome, emitted: handled.emitted})
    this.o.onHandled?.(message, handled)
    if (this.o.faults.crashBeforeCommit()) {
      trace({t: now, svc, ev: 'els-crashed', partition: message.partition, offset: message.offset, restartIn: ELS_RESTART})
      this.goDown()
      return
    }
    if (this.crashes()) return this.crash(message, 'after-handling')
    const settle = (): void => {
      // Settled and the restart decided in one step: a shell waiting for quiet never sees the
      // message done while a restart that follows it is still to come.
      this.o.onSettled?.(message)
      if (this.o.faults.restart()) {
        trace({t: clock.now(), svc, ev: 'els-restarted', restartIn: ELS_RESTART})
        this.goDown()
        return
      }
      if (this.crashes()) return this.crash(message, 'after-offset-commit')
      this.member.next()
    }
    if (this.o.consumer.offsetCommit === 'on-fetch') return settle()
    this.member.commit(message, taken, (accepted) => {
      if (epoch !== this.epoch) return
      if (!accepted) trace({t: clock.now(), svc, ev: 'commit-rejected', partition: message.partition, offset: message.offset})
      settle()
    })
  }

  private crashes(): boolean {
    return this.o.faults.crash?.() ?? false
  }

  /** A step's label (Clock.after): this instance, what it does, the message, the epoch it belongs to. */
  private label(what: string, message: {topic: string; partition: number; offset: number}, epoch: number): string {
    return `${this.o.instanceId}:${what}:${message.topic}#${message.partition}@${message.offset}/${epoch}`
  }

  /** The loop's own state, for explore's state hash: how many times it went down. */
  fingerprint(): string {
    return `${this.o.instanceId}/${this.epoch}`
  }

  /** The crash fault stopped this instance at `point` of handling `message`. */
  private crash(message: BusMessage, point: ElsCrashPoint): void {
    const {clock} = this.o
    this.o.trace({t: clock.now(), svc: this.o.instanceId, ev: 'els-crashed', partition: message.partition, offset: message.offset, restartIn: ELS_RESTART, point})
    this.goDown()
  }

  /** Leave the group, lose process memory, rejoin after a restart. */
  private goDown(): void {
    const {clock} = this.o
    this.epoch++
    this.member.leave()
    this.o.consumer.restart()
    this.o.onDown?.()
    clock.after(
      ELS_RESTART,
      () =>
        this.member.join((partitions) => {
          this.o.trace({t: clock.now(), svc: this.o.instanceId, ev: 'els-rejoined', partitions})
          this.o.onRejoined?.()
        }),
      `${this.o.instanceId}:rejoin`,
    )
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
