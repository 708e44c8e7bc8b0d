import type {BusMessage} from './bus.js'

/**
 * A broker's whole log, handed to the judge once the run is over (`MemoryBus.handOver`): read
 * once, in append order, each message let go as it is read. A large run's log is a third of what
 * it holds at its end (500,000 messages at 10,000 batches × 25 essays, values and headers), and
 * the judge's parsed copy of it is most of the rest: letting each value go once it is parsed
 * keeps the two from being held at once (docs/benchmarks.md).
 */
export class HandedOverLog implements Iterable<BusMessage> {
  private readonly messages: (BusMessage | undefined)[]
  private read = false

  constructor(messages: BusMessage[]) {
    this.messages = messages
  }

  /** How many messages the log held. */
  get length(): number {
    return this.messages.length
  }

  /** How many of the messages match, without letting any go (before the one read). */
  count(matches: (message: BusMessage) => boolean): number {
    if (this.read) throw new Error('the handed-over log was read already')
    let count = 0
    for (const message of this.messages) if (matches(message!)) count++
    return count
  }

  /** Every message once, in append order; each is dropped from the log as it is handed out. */
  *[Symbol.iterator](): Iterator<BusMessage> {
    if (this.read) throw new Error('the handed-over log was read already')
    this.read = true
    for (let i = 0; i < this.messages.length; i++) {
      const message = this.messages[i]!
      this.messages[i] = undefined
      yield message
    }
  }
}
