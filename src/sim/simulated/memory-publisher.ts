import type {MemoryBus} from '../bus/memory-bus.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Clock} from '../process/clock.js'
import type {RelayPublisher, SendOutcome} from '../process/relay-loop.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {BusRecord} from '../bus/bus.js'
import type {BrokerAvailability} from './broker-availability.js'

/**
 * A relay's sends on the memory bus: one row at a time, each waiting for its ack, as the real
 * relay did. The broker places the record at once (visible after the drawn latency); the ack
 * reaches the relay after the same latency. While the brokers are down nothing is sent.
 */
export class MemoryPublisher implements RelayPublisher {
  readonly rowsPerSend = 1

  constructor(
    private readonly o: {clock: Clock; chooser: Chooser; bus: MemoryBus; broker: BrokerAvailability; kafkaLatency: Delay},
  ) {}

  send(records: () => BusRecord[], outcome: SendOutcome): void {
    const {clock, bus} = this.o
    const now = clock.now()
    if (this.o.broker.downUntil(now) !== undefined) {
      outcome.failed('broker unavailable', false)
      return
    }
    const [record] = records()
    const latency = draw(this.o.kafkaLatency, this.o.chooser, 'kafka')
    const message = bus.append(record, now, latency)
    outcome.appended([{record, ack: {topic: message.topic, partition: message.partition, offset: message.offset}, visibleAt: message.visibleAt}])
    clock.after(latency, () => outcome.acked(), outcome.label)
  }
}
