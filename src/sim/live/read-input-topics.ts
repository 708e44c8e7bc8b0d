import {KafkajsBus, type ClusterInfo} from '../bus/kafkajs-bus.js'
import {RecordingError, RECORDED_TOPICS, type ObservedMessage} from '../fixture/observed-order.js'

/** How long reading may take once the throwaway group formed (the mock cluster's join takes 3 s). */
const READ_TIMEOUT_MS = 30_000
const JOIN_TIMEOUT_MS = 30_000
const CHECK_MS = 20

export interface InputTopicsRead {
  clusterId: string
  /** Wire names of the topics read. */
  topics: string[]
  /** The largest partition count among them. */
  partitions: number
  messages: ObservedMessage[]
}

export interface ReadInputTopicsOptions {
  brokers: readonly string[]
  topicPrefix: string
  logSink?: (line: string) => void
}

/**
 * Reads ELS's input topics under a prefix (the three of DOMAIN.md, and the partition-key remedy's
 * shared topic when it exists) from the beginning up to the high watermarks they had when reading
 * started. A throwaway consumer group (`<prefix>racelab-record-<unique>`) that never commits an
 * offset does the reading. Messages keep their broker timestamps (epoch ms).
 *
 * Throws KafkaUnreachableError when no broker answers, and a RecordingError when the prefix has
 * none of the topics, or they hold no message.
 */
export async function readInputTopics(options: ReadInputTopicsOptions): Promise<InputTopicsRead> {
  const {topicPrefix} = options
  // Broker timestamps as microseconds since the epoch: appendedAt / 1000 is the timestamp again.
  const bus = new KafkajsBus({brokers: options.brokers, topicPrefix, clientId: 'racelab-record', logSink: options.logSink, timeOf: (epochMs) => epochMs * 1000})
  const info: ClusterInfo = await bus.connect()
  const admin = bus.kafka.admin()
  try {
    await admin.connect()
    const existing = new Set(await admin.listTopics())
    const topics = RECORDED_TOPICS.filter((topic) => existing.has(bus.physical(topic)))
    if (topics.length === 0) throw new RecordingError(noTopics(topicPrefix, existing))

    // Where each partition ends now: reading stops there.
    const ends = new Map<string, number>()
    let partitions = 0
    let total = 0
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(bus.physical(topic))
      partitions = Math.max(partitions, offsets.length)
      for (const entry of offsets) {
        const high = Number(entry.high)
        const low = Number(entry.low)
        if (high > low) {
          ends.set(`${topic}\u0000${entry.partition}`, high - 1)
          total += high - low
        }
      }
    }
    if (total === 0) throw new RecordingError(`the topics under prefix "${topicPrefix}" hold no message (${topics.map((t) => bus.physical(t)).join(', ')})`)

    const messages: ObservedMessage[] = []
    const last = new Map<string, number>()
    const subscription = await bus.subscribe({
      groupId: `racelab-record-${Date.now().toString(36)}${process.pid.toString(36)}`,
      topics,
      fromBeginning: true,
      autoCommit: false,
      maxWaitMs: 50,
      handle: async (message) => {
        const key = `${message.topic}\u0000${message.partition}`
        const end = ends.get(key)
        if (end === undefined || message.offset > end) return // appended after reading started
        last.set(key, Math.max(last.get(key) ?? -1, message.offset))
        messages.push({topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.appendedAt / 1000, value: message.value})
      },
    })
    try {
      await within(Promise.race([subscription.joined, subscription.crashed]), JOIN_TIMEOUT_MS, `the reading consumer group did not form within ${JOIN_TIMEOUT_MS / 1000} s`)
      const caughtUp = (): boolean => [...ends].every(([key, end]) => (last.get(key) ?? -1) >= end)
      const deadline = Date.now() + READ_TIMEOUT_MS
      while (!caughtUp()) {
        if (Date.now() > deadline) throw new RecordingError(`read ${messages.length} of ${total} messages under prefix "${topicPrefix}" in ${READ_TIMEOUT_MS / 1000} s, then gave up`)
        await new Promise((done) => setTimeout(done, CHECK_MS))
      }
    } finally {
      await subscription.stop()
    }
    return {clusterId: info.clusterId, topics: topics.map((t) => bus.physical(t)), partitions, messages}
  } finally {
    await admin.disconnect().catch(() => undefined)
    await bus.close()
  }
}

/** No input topic under the prefix: say which prefixes the cluster does have (a few). */
function noTopics(prefix: string, existing: ReadonlySet<string>): string {
  const marker = RECORDED_TOPICS[0]
  const prefixes = [...existing].filter((name) => name.endsWith(marker)).map((name) => name.slice(0, -marker.length))
  const shown = prefixes.slice(0, 5).map((p) => `"${p}"`).join(', ')
  const more = prefixes.length > 5 ? ` and ${prefixes.length - 5} more` : ''
  return `no topic ${prefix}${marker} (nor the other ELS input topics) on the cluster` + (prefixes.length > 0 ? `; prefixes with one: ${shown}${more}` : '')
}

async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RecordingError(message)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}
