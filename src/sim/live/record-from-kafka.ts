import {checkTopicPrefix, KafkaUnreachableError} from '../bus/kafkajs-bus.js'
import {formatExpected, type Expected} from '../fixture/fixture.js'
import {fixtureFromObserved, type ObservedFixture} from '../fixture/fixture-from-observed.js'
import {RecordingError} from '../fixture/observed-order.js'
import {InputError} from '../input-error.js'
import {resolveBrokers} from './live-command.js'
import {readInputTopics} from './read-input-topics.js'

export interface RecordFromKafkaOptions {
  /** The --from-kafka value: `local` or `host:port[,host:port...]`. */
  kafka: string
  topicPrefix: string
  description?: string
  /** The command line, for the fixture's header comment. */
  command: string
}

export interface KafkaRecording extends ObservedFixture {
  brokers: string[]
  clusterId: string
  topicPrefix: string
  /** Wire names of the topics read. */
  topics: string[]
  /** Messages read from them. */
  messages: number
}

/**
 * `racelab record --from-kafka`: reads the input topics of one prefix, rebuilds the topology and
 * the append order, and writes them as a fixture whose expectation comes from replaying it in
 * memory. Everything the user can get wrong (the brokers, an unreachable cluster, a prefix with
 * no messages, events that cannot be a fixture) is an InputError: one line, exit 2.
 */
export async function recordFromKafka(options: RecordFromKafkaOptions): Promise<KafkaRecording> {
  let brokers: string[]
  try {
    brokers = resolveBrokers(options.kafka, 'local or host:port[,host:port...]')
  } catch (error) {
    // resolveBrokers speaks of --kafka; here the flag is --from-kafka.
    if (error instanceof InputError) throw new InputError(error.message.replace(/^--kafka\b/, '--from-kafka'))
    throw error
  }
  try {
    checkTopicPrefix(options.topicPrefix)
  } catch (error) {
    throw new InputError(`--topic-prefix: ${(error as Error).message}`)
  }
  try {
    const read = await readInputTopics({
      brokers,
      topicPrefix: options.topicPrefix,
      logSink: process.env.RACELAB_DEBUG ? (line) => process.stderr.write(line + '\n') : undefined,
    })
    const fixture = fixtureFromObserved(read.messages, {
      source: `topic prefix "${options.topicPrefix}" on Kafka at ${brokers.join(',')}`,
      sourceDetail: `cluster ${read.clusterId}`,
      partitions: read.partitions,
      command: options.command,
      description: options.description,
    })
    return {...fixture, brokers, clusterId: read.clusterId, topicPrefix: options.topicPrefix, topics: read.topics, messages: read.messages.length}
  } catch (error) {
    if (error instanceof KafkaUnreachableError) throw new InputError(`--from-kafka: ${error.message}`)
    if (error instanceof RecordingError) throw new InputError(`--from-kafka: ${error.message}`)
    throw error
  }
}

/** `record --from-kafka --json`: where the events came from and the fixture written from them. */
export interface RecordFromKafkaJson {
  file: string
  source: {brokers: string[]; clusterId: string; topicPrefix: string; topics: string[]; messages: number}
  topology: {essays: number; files: {valid: boolean}[]}[]
  partitions: number
  deliveries: readonly string[]
  expect: Record<string, Expected>
  /** Delays written into the fixture (only when its files had to be renumbered). */
  delays: readonly string[]
  ids: 'racelab' | 'foreign'
  /** Fixture id -> the id the events carried (ids that changed). */
  mapping: {id: string; original: string}[]
  notes: string[]
}

export function kafkaRecordingJson(recorded: KafkaRecording, file: string): RecordFromKafkaJson {
  const {recording} = recorded
  return {
    file,
    source: {brokers: recorded.brokers, clusterId: recorded.clusterId, topicPrefix: recorded.topicPrefix, topics: recorded.topics, messages: recorded.messages},
    topology: recording.layout.map((batch) => ({essays: batch.essays, files: batch.files.map((f) => ({valid: f.valid}))})),
    partitions: recorded.partitions,
    deliveries: recording.deliveries,
    expect: recorded.expect,
    delays: recorded.delays,
    ids: recording.ids,
    mapping: recording.mapping,
    notes: recorded.notes,
  }
}

/** What `record --from-kafka` prints: where from, the topology, the deliveries, the expectation, the notes. */
export function formatKafkaRecording(recorded: KafkaRecording, file: string): string[] {
  const {recording} = recorded
  const batches = recording.layout.map(
    (batch, b) => `b${b + 1} (${batch.essays} essays; files ${batch.files.map((f, i) => `f${i + 1}${f.valid ? '' : ' invalid'}`).join(', ') || 'none'})`,
  )
  return [
    `recorded ${recording.deliveries.length} events (${recorded.messages} messages) from topic prefix "${recorded.topicPrefix}" on ${recorded.brokers.join(',')} to ${file}`,
    `  topology:   ${batches.join('; ')}, ${recorded.partitions} partitions${recorded.delays.length > 0 ? `, delays ${recorded.delays.join(', ')}` : ''}`,
    `  deliveries: ${recording.deliveries.join(', ')}`,
    `  expect:     ${Object.entries(recorded.expect).map(([strategy, e]) => `${strategy} ${formatExpected(e)}`).join(', ')} (replayed in memory)`,
    ...recorded.notes.map((note) => `  note: ${note}`),
  ]
}
