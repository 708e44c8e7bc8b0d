import type {BusRecord, ProduceAck} from '../bus/bus.js'
import {describeError} from '../bus/kafkajs-bus.js'
import type {RelayPublisher, SendOutcome} from '../process/relay-loop.js'
import {RELAY_BATCH_SIZE} from '../outbox/outbox.js'
import type {WallClock} from './clock.js'

/** What a live relay needs from the bus: many records in one request, one ack per record. */
export interface BatchPublisher {
  produceBatch(records: readonly BusRecord[]): Promise<ProduceAck[]>
}

/**
 * A relay's sends on a real cluster: a poll's rows in one produce request (acks=all), one ack per
 * row. Consumers can see a record once the broker acked it. A failed request counts against every
 * row's retries. Completions after the clock stopped are dropped (the run is over).
 */
export class KafkaPublisher implements RelayPublisher {
  readonly rowsPerSend = RELAY_BATCH_SIZE
  private readonly inFlight = new Set<Promise<void>>()

  constructor(
    private readonly bus: BatchPublisher,
    private readonly clock: WallClock,
  ) {}

  send(records: () => BusRecord[], outcome: SendOutcome): void {
    const batch = records()
    const sent = this.bus.produceBatch(batch).then(
      (acks) => {
        if (this.clock.isStopped) return
        const now = this.clock.now()
        outcome.appended(acks.map((ack, i) => ({record: batch[i], ack, visibleAt: now})))
        outcome.acked()
      },
      (error: unknown) => {
        if (!this.clock.isStopped) outcome.failed(describeError(error), true)
      },
    )
    this.inFlight.add(sent)
    void sent.finally(() => this.inFlight.delete(sent))
  }

  /** No request in flight. */
  get idle(): boolean {
    return this.inFlight.size === 0
  }

  /** Resolves once no request is in flight. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight])
  }
}
