import type {Micros} from '../kernel/time.js'

/** What a producer hands the bus: Kafka's record, with the envelope JSON as value. */
export interface BusRecord {
  topic: string
  key: string
  value: string
  headers: Record<string, string>
}

/** Where the broker put a record: its partition and offset (the ack). */
export interface ProduceAck {
  topic: string
  partition: number
  offset: number
}

/** A record as a consumer sees it. */
export interface BusMessage extends BusRecord {
  partition: number
  offset: number
  /** Virtual (memory bus) or wall-clock (kafkajs bus) time the broker appended it. */
  appendedAt: Micros
}

/**
 * The producer side both buses share. The memory bus also offers synchronous calls that the
 * simulation kernel drives directly; the kafkajs bus (live shell) is asynchronous by nature.
 */
export interface Bus {
  produce(record: BusRecord): Promise<ProduceAck>
}
