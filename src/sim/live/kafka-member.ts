import type {BusMessage} from '../bus/bus.js'
import type {KafkajsBus, Subscription} from '../bus/kafkajs-bus.js'
import type {ConsumerLoop, GroupMember} from '../process/consumer-loop.js'
import {ELS_GROUP} from '../process/els-group.js'

/**
 * ELS's session timeout: Kafka's smallest by default (group.min.session.timeout.ms). The mock
 * cluster holds a rebalance after a member left for this long less a second, so an ELS restart
 * costs about 5 s there (the join of an empty group: 3 s).
 */
const ELS_SESSION_TIMEOUT_MS = 6000

export interface KafkaMemberOptions {
  bus: KafkajsBus
  instanceId: string
  topics: readonly string[]
  loop: () => ConsumerLoop
  /** How long a join may take before the run gives up on it. */
  joinTimeoutMs: number
  /** The consumer failed for good (kafkajs crashed, a join timed out, a commit failed). */
  onCrash: (error: Error) => void
}

interface InHand {
  message: BusMessage
  commit: () => Promise<void>
  /** Returns from kafkajs's eachMessage: kafkajs hands over the next message. */
  release: (error?: Error) => void
}

/**
 * One ELS instance's membership of a real consumer group through kafkajs: kafkajs pushes one
 * message at a time, and eachMessage returns only once the loop is done with it, so the next
 * message waits as it would behind a real handler. Leaving disconnects the consumer; joining again
 * connects a fresh one in the same group, which Kafka hands partitions from their committed offsets.
 */
export class KafkaMember implements GroupMember {
  private subscription: Subscription | undefined
  private inHand: InHand | undefined
  private leaving: Promise<void> = Promise.resolve()
  private readonly joins = new Set<Promise<void>>()
  private down = false
  private stopped = false
  private firstJoin: ((partitions: number) => void) | undefined
  /** Resolves when the first join completed. */
  readonly joined: Promise<number>

  constructor(private readonly o: KafkaMemberOptions) {
    this.joined = new Promise((resolve) => (this.firstJoin = resolve))
  }

  join(joined: (partitions: number) => void): void {
    this.down = false
    const attempt = (async () => {
      await this.leaving
      if (this.stopped) return
      const subscription = await this.o.bus.subscribe({
        groupId: ELS_GROUP,
        topics: this.o.topics,
        autoCommit: false,
        maxWaitMs: 10,
        sessionTimeoutMs: ELS_SESSION_TIMEOUT_MS,
        handle: (message, commit) => this.deliver(message, commit),
      })
      this.subscription = subscription
      subscription.crashed.catch((error: Error) => this.o.onCrash(error))
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.o.joinTimeoutMs)))
      const partitions = await Promise.race([subscription.joined, timeout])
      clearTimeout(timer)
      if (this.stopped) return
      if (partitions === undefined) throw new Error(`${this.o.instanceId} did not join its consumer group within ${this.o.joinTimeoutMs / 1000} s`)
      this.firstJoin?.(partitions)
      this.firstJoin = undefined
      joined(partitions)
    })().catch((error: Error) => this.o.onCrash(error))
    this.joins.add(attempt)
    void attempt.finally(() => this.joins.delete(attempt))
  }

  private deliver(message: BusMessage, commit: () => Promise<void>): Promise<void> {
    // A consumer that is leaving: not handled, not committed; Kafka redelivers it to the group.
    if (this.down || this.stopped) return Promise.reject(new Error('ELS is restarting'))
    return new Promise<void>((resolve, reject) => {
      this.inHand = {message, commit, release: (error) => (error ? reject(error) : resolve())}
      this.o.loop().take(message, 0)
    })
  }

  commit(message: BusMessage, _taken: number, done: (accepted: boolean) => void): void {
    const inHand = this.inHand
    const same = inHand && inHand.message.topic === message.topic && inHand.message.partition === message.partition && inHand.message.offset === message.offset
    if (!same) return
    // The real ELS commits the offset only after its transaction committed.
    inHand!.commit().then(
      () => done(true),
      (error: Error) => this.o.onCrash(error),
    )
  }

  next(): void {
    const inHand = this.inHand
    this.inHand = undefined
    inHand?.release()
  }

  leave(): void {
    this.down = true
    // Returning without a commit: the fresh consumer starts from the committed offset.
    this.next()
    const subscription = this.subscription
    this.subscription = undefined
    this.leaving = subscription ? subscription.stop() : Promise.resolve()
  }

  /** Ends this member: the message in hand is not committed, joins under way are waited for (5 s at most). */
  async stop(): Promise<void> {
    this.stopped = true
    const inHand = this.inHand
    this.inHand = undefined
    inHand?.release(new Error('ELS is shutting down'))
    if (this.joins.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([Promise.all(this.joins), new Promise<void>((done) => (timer = setTimeout(done, 5000)))])
      clearTimeout(timer)
    }
    await this.leaving
    await this.subscription?.stop()
    this.subscription = undefined
  }
}
