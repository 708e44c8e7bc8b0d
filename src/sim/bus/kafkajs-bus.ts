import {performance} from 'node:perf_hooks'

import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type IHeaders,
  type ISocketFactory,
  type KafkaMessage,
  type LogEntry,
  type Producer,
  type RecordMetadata,
} from 'kafkajs'

import type {Micros} from '../kernel/time.js'
import type {Bus, BusMessage, BusRecord, ProduceAck} from './bus.js'
import {installFetchYield} from './kafkajs-fetch-yield.js'
import {partitionFor} from './murmur2.js'

/**
 * The Bus over a real Kafka wire, through kafkajs (the live shell's bus). Wall-clock time is
 * allowed here and in src/sim/live only.
 *
 * - Producer: acks=all, not idempotent (the librdkafka mock cluster cannot serve the idempotent
 *   producer: see mock-cluster.ts). Keyed records go to the partition kafkajs's DefaultPartitioner
 *   would pick (murmur2, the same function the memory bus uses); the bus sets it explicitly so it
 *   can tell every record its offset from the broker's base offset.
 * - `produceBatch` sends many records in ONE produce request per broker: the relay hands it the
 *   rows of one poll, every row still waits for its own ack before its published_at is written,
 *   and records of one partition keep their order.
 * - Topics carry a per-run prefix on the wire (`<prefix>huleedu...`); the core only ever sees
 *   the logical names.
 * - The envelope JSON is the message value; `event_id` and `event_type` travel as headers.
 * - Consumers belong to a group; `autoCommit: false` gives the handler a `commit` it calls after
 *   its transaction, as the real ELS does.
 */

export interface KafkajsBusOptions {
  /** `host:port` bootstrap servers. */
  brokers: readonly string[]
  /** Prepended to every topic (and consumer group) name on the wire. */
  topicPrefix?: string
  clientId?: string
  /** Per connection attempt; default 3000 ms. */
  connectionTimeoutMs?: number
  /** kafkajs retries per request before an error reaches the caller; default 2. */
  retries?: number
  /** Where kafkajs's own log lines go (RACELAB_DEBUG); silent when absent. */
  logSink?: (line: string) => void
  /** Maps a broker timestamp (epoch ms) to the caller's clock; default: µs since the bus was made. */
  timeOf?: (epochMs: number) => Micros
  /** Opens the client's broker connections (the soak cuts them to stage a broker restart); default kafkajs's own. */
  socketFactory?: ISocketFactory
}

/** No broker answered: the message names every broker tried. */
export class KafkaUnreachableError extends Error {
  override readonly name = 'KafkaUnreachableError'
  constructor(
    readonly brokers: readonly string[],
    cause: string,
    waitedMs: number,
  ) {
    super(`cannot reach Kafka at ${brokers.join(',')}: ${cause} (gave up after ${(waitedMs / 1000).toFixed(1)} s)`)
  }
}

export interface ClusterInfo {
  clusterId: string
  brokers: number
  /**
   * Whether the controller is one of the brokers. The librdkafka mock cluster reports controller
   * 0, which is none of them: no createTopics, no deleteTopics, no idempotent producer there.
   */
  adminUsable: boolean
}

export interface TopicSetup {
  /** created: by racelab with the asked partition count; auto-created: by the broker on first use. */
  mode: 'created' | 'auto-created'
  /** Partition count per logical topic, as the cluster reports it. */
  partitions: Record<string, number>
}

export interface Subscription {
  /** Resolves once the consumer joined its group, with the number of partitions it was assigned. */
  joined: Promise<number>
  /** Rejects when the consumer crashed for good. */
  crashed: Promise<never>
  stop(): Promise<void>
}

export interface SubscribeOptions {
  /** Consumer group, prefixed on the wire like topics. */
  groupId: string
  topics: readonly string[]
  fromBeginning?: boolean
  /** false: the handler commits after its transaction (ELS). true: kafkajs commits (observers). */
  autoCommit: boolean
  /** Broker-side long-poll wait when a partition has no data; default 10 ms (low latency). */
  maxWaitMs?: number
  /**
   * The member's session timeout; default 10 s. A group that lost a member rebalances for up to
   * this long less a second on the librdkafka mock cluster, so members that leave and rejoin (ELS
   * restarts) use a shorter one.
   */
  sessionTimeoutMs?: number
  handle: (message: BusMessage, commit: () => Promise<void>) => Promise<void>
}

/** Parses `host:port[,host:port...]`; throws a RangeError naming the bad entry. */
export function parseBrokerList(spec: string): string[] {
  const brokers = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (brokers.length === 0) throw new RangeError('no broker given (expected host:port[,host:port...])')
  for (const broker of brokers) {
    const match = /^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(broker)
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
      throw new RangeError(`"${broker}" is not host:port`)
    }
  }
  return brokers
}

/** Kafka's legal topic characters; a prefix must leave room for the longest topic name. */
export function checkTopicPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new RangeError(`topic prefix "${prefix}" may only hold letters, digits, ".", "_" and "-"`)
  }
  if (prefix.length > 150) throw new RangeError(`topic prefix "${prefix.slice(0, 20)}..." is longer than 150 characters`)
}

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
}

export class KafkajsBus implements Bus {
  readonly kafka: Kafka
  readonly brokers: readonly string[]
  readonly prefix: string
  private readonly connectionTimeoutMs: number
  private readonly timeOf: (epochMs: number) => Micros
  private producer: Producer | undefined
  private admin: Admin | undefined
  private readonly partitionCounts = new Map<string, number>()
  private readonly consumers = new Set<Consumer>()

  constructor(options: KafkajsBusOptions) {
    this.brokers = [...options.brokers]
    this.prefix = options.topicPrefix ?? ''
    checkTopicPrefix(this.prefix)
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? 3000
    const madeAt = Date.now()
    this.timeOf = options.timeOf ?? ((epochMs) => Math.max(0, (epochMs - madeAt) * 1000))
    const sink = options.logSink
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'racelab',
      brokers: [...this.brokers],
      connectionTimeout: this.connectionTimeoutMs,
      requestTimeout: 10_000,
      retry: {retries: options.retries ?? 2, initialRetryTime: 100, maxRetryTime: 1000},
      ...(options.socketFactory ? {socketFactory: options.socketFactory} : {}),
      logLevel: sink ? logLevel.INFO : logLevel.NOTHING,
      logCreator: () => (entry: LogEntry) => {
        if (!sink) return
        const {message, ...extra} = entry.log
        sink(`kafkajs ${LEVEL_NAMES[entry.level] ?? entry.level} [${entry.namespace}] ${message} ${JSON.stringify(extra)}`)
      },
    })
  }

  /** The topic's name on the wire. */
  physical(topic: string): string {
    return this.prefix + topic
  }

  /** The logical name of a wire topic (the prefix removed). */
  logical(topic: string): string {
    return topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic
  }

  /**
   * Connects the admin client and the producer, or fails within the connection timeout (and a
   * couple of quick retries) with a KafkaUnreachableError naming the brokers.
   */
  async connect(): Promise<ClusterInfo> {
    const started = performance.now()
    const budgetMs = this.connectionTimeoutMs * 2 + 2000
    const attempt = async (): Promise<ClusterInfo> => {
      this.admin = this.kafka.admin()
      await this.admin.connect()
      const cluster = await this.admin.describeCluster()
      this.producer = this.kafka.producer({idempotent: false, allowAutoTopicCreation: true})
      await this.producer.connect()
      return {
        clusterId: cluster.clusterId,
        brokers: cluster.brokers.length,
        adminUsable: cluster.brokers.some((broker) => broker.nodeId === cluster.controller),
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), budgetMs)
    })
    try {
      return await Promise.race([attempt(), timeout])
    } catch (error) {
      await this.close()
      throw new KafkaUnreachableError(this.brokers, describeError(error), performance.now() - started)
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Makes sure the topics exist. Where the admin API works, creates them with `partitions`
   * partitions (an existing topic keeps its count). On the mock cluster it cannot: an empty
   * produce request makes the broker auto-create them (4 partitions there).
   */
  async ensureTopics(topics: readonly string[], partitions: number, info: ClusterInfo): Promise<TopicSetup> {
    const admin = this.requireAdmin()
    let mode: TopicSetup['mode'] = 'auto-created'
    if (info.adminUsable) {
      await admin.createTopics({
        topics: topics.map((topic) => ({topic: this.physical(topic), numPartitions: partitions})),
        waitForLeaders: true,
      })
      mode = 'created'
    } else {
      await this.requireProducer().sendBatch({
        acks: -1,
        topicMessages: topics.map((topic) => ({topic: this.physical(topic), messages: []})),
      })
    }
    const counts = await this.fetchPartitionCounts(topics)
    return {mode, partitions: Object.fromEntries(topics.map((topic) => [topic, counts.get(topic)!]))}
  }

  async produce(record: BusRecord): Promise<ProduceAck> {
    return (await this.produceBatch([record]))[0]
  }

  /**
   * Publishes records in one produce request per broker, acks=all, and returns one ack per
   * record, in order. Rejects when any record could not be written (after kafkajs's retries);
   * records of other partitions may have been written: at-least-once, as with any producer.
   */
  async produceBatch(records: readonly BusRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return []
    const producer = this.requireProducer()
    const topics = [...new Set(records.map((record) => record.topic))]
    const missing = topics.filter((topic) => !this.partitionCounts.has(topic))
    if (missing.length > 0) await this.fetchPartitionCounts(missing, true)

    const byTopic = new Map<string, {key: string; value: string; headers: IHeaders; partition: number}[]>()
    const perPartition = new Map<string, number>()
    const placed = records.map((record) => {
      const partition = partitionFor(record.key, this.partitionCounts.get(record.topic)!)
      let list = byTopic.get(record.topic)
      if (!list) byTopic.set(record.topic, (list = []))
      list.push({key: record.key, value: record.value, headers: {...record.headers}, partition})
      // Records of one partition are appended in this order: the n-th gets base offset + n.
      const slot = `${record.topic}\u0000${partition}`
      const index = perPartition.get(slot) ?? 0
      perPartition.set(slot, index + 1)
      return {topic: record.topic, partition, index}
    })
    const metadata: RecordMetadata[] = await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({topic: this.physical(topic), messages})),
    })
    const base = new Map<string, number>()
    for (const entry of metadata) {
      base.set(`${this.logical(entry.topicName)}\u0000${entry.partition}`, Number(entry.baseOffset ?? entry.offset))
    }
    return placed.map(({topic, partition, index}) => {
      const offset = base.get(`${topic}\u0000${partition}`)
      if (offset === undefined || Number.isNaN(offset)) {
        throw new Error(`the broker did not ack ${topic}[${partition}]`)
      }
      return {topic, partition, offset: offset + index}
    })
  }

  /** Joins a consumer group and hands every message to `handle`, one at a time. */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    installFetchYield()
    const consumer = this.kafka.consumer({
      groupId: this.prefix + options.groupId,
      maxWaitTimeInMs: options.maxWaitMs ?? 10,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1000,
      retry: {retries: 3, initialRetryTime: 100, maxRetryTime: 1000},
    })
    this.consumers.add(consumer)
    let joinedResolve: (partitions: number) => void = () => undefined
    const joined = new Promise<number>((resolve) => (joinedResolve = resolve))
    let crashReject: (error: Error) => void = () => undefined
    const crashed = new Promise<never>((_, reject) => (crashReject = reject))
    crashed.catch(() => undefined) // observed by whoever awaits it; never an unhandled rejection
    consumer.on(consumer.events.GROUP_JOIN, (event) =>
      joinedResolve(Object.values(event.payload.memberAssignment ?? {}).reduce((sum, partitions) => sum + partitions.length, 0)),
    )
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) crashReject(event.payload.error)
    })
    await consumer.connect()
    await consumer.subscribe({topics: options.topics.map((topic) => this.physical(topic)), fromBeginning: options.fromBeginning ?? true})
    // run() resolves only once the group formed (3 s on the mock cluster): not awaited, so that
    // several groups form at the same time; `joined` tells when this one did.
    const running = consumer.run({
      autoCommit: options.autoCommit,
      eachMessage: async ({topic, partition, message}) => {
        const busMessage = this.toBusMessage(topic, partition, message)
        const commit = (): Promise<void> =>
          consumer.commitOffsets([{topic, partition, offset: String(Number(message.offset) + 1)}])
        await options.handle(busMessage, commit)
      },
    })
    running.catch((error: Error) => crashReject(error))
    return {
      joined,
      crashed,
      stop: async () => {
        this.consumers.delete(consumer)
        await settle(consumer.disconnect())
      },
    }
  }

  /** A kafkajs message as the core sees it: logical topic, string key, value and headers. */
  toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (value === undefined) continue
      headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value)
    }
    return {
      topic: this.logical(topic),
      key: message.key?.toString() ?? '',
      value: message.value?.toString() ?? '',
      headers,
      partition,
      offset: Number(message.offset),
      appendedAt: this.timeOf(Number(message.timestamp)),
    }
  }

  /** The high watermark of every partition of `topics`, keyed `topic/partition` (logical names). */
  async endOffsets(topics: readonly string[]): Promise<Map<string, number>> {
    const ends = new Map<string, number>()
    for (const topic of topics) {
      for (const p of await this.requireAdmin().fetchTopicOffsets(this.physical(topic))) ends.set(`${topic}/${p.partition}`, Number(p.high))
    }
    return ends
  }

  /** Deletes the topics where the admin API works; false where it cannot (mock cluster). */
  async deleteTopics(topics: readonly string[], info: ClusterInfo): Promise<boolean> {
    if (!info.adminUsable) return false
    await this.requireAdmin().deleteTopics({topics: topics.map((topic) => this.physical(topic))})
    return true
  }

  async close(): Promise<void> {
    const consumers = [...this.consumers]
    this.consumers.clear()
    await Promise.all([
      ...consumers.map((consumer) => settle(consumer.disconnect())),
      this.producer && settle(this.producer.disconnect()),
      this.admin && settle(this.admin.disconnect()),
    ])
    this.producer = undefined
    this.admin = undefined
  }

  private async fetchPartitionCounts(topics: readonly string[], create = false): Promise<Map<string, number>> {
    if (create) {
      await this.requireProducer().sendBatch({
        acks: -1,
        topicMessages: topics.map((topic) => ({topic: this.physical(topic), messages: []})),
      })
    }
    const {topics: found} = await this.requireAdmin().fetchTopicMetadata({topics: topics.map((t) => this.physical(t))})
    for (const topic of found) this.partitionCounts.set(this.logical(topic.name), topic.partitions.length)
    return this.partitionCounts
  }

  private requireProducer(): Producer {
    if (!this.producer) throw new Error('the kafkajs bus is not connected')
    return this.producer
  }

  private requireAdmin(): Admin {
    if (!this.admin) throw new Error('the kafkajs bus is not connected')
    return this.admin
  }
}

/**
 * Waits for a disconnect, but not forever: with the brokers gone kafkajs may retry for a while,
 * and a run that is over must not hang on its goodbyes.
 */
async function settle(disconnect: Promise<void>, ms = 3000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([disconnect.catch(() => undefined), new Promise<void>((done) => (timer = setTimeout(done, ms)))])
  clearTimeout(timer)
}

/** kafkajs wraps the cause of a retried failure; the innermost message is the useful one. */
export function describeError(error: unknown): string {
  let current = error as {message?: string; cause?: unknown} | undefined
  let message = 'unknown error'
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.message) message = current.message
    current = current.cause as typeof current
  }
  return message.split('\n')[0]
}
