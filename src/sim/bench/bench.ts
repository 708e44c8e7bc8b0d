import {performance} from 'node:perf_hooks'

import type {BusRecord} from '../bus/bus.js'
import {KafkajsBus, type ClusterInfo} from '../bus/kafkajs-bus.js'
import {batchId as batchIdOf, essayId, fileUploadId, IdSource} from '../domain/ids.js'
import {ALL_TOPICS, ELS_INPUT_TOPICS, TOPICS} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {Els} from '../services/els.js'
import {FileService} from '../services/file-service.js'
import type {OutboxRow} from '../outbox/outbox.js'
import {Relay} from '../services/relay.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {fixed} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import {ELS_GROUP} from '../simulated/consumer-process.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {WallClock} from '../live/clock.js'
import {LiveRelay} from '../live/live-relay.js'

/**
 * `racelab bench`: how fast the simulator runs, and (with a cluster) how fast the live relay
 * publishes next to kafkajs on its own. Benchmarks read the wall clock, which only the live shell
 * may do: that is why the simulated section lives here too.
 */

export interface Percentiles {
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Nearest-rank percentiles of `values` (any unit), rounded to 3 decimals. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return {mean: 0, p50: 0, p90: 0, p99: 0, max: 0}
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
  const round = (n: number): number => Math.round(n * 1000) / 1000
  return {
    mean: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
    p50: round(rank(50)),
    p90: round(rank(90)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1]),
  }
}

// ---- simulated ----------------------------------------------------------------------------------

export interface SimulatedBench {
  scenario: string
  strategy: 'buffer'
  essays: number
  runs: number
  runsPerSecond: number
  /** Wall-clock milliseconds per run. */
  msPerRun: Percentiles
}

/** Runs a built-in scenario `runs` times (seeds 1..runs, strategy buffer) and times each run. */
export function benchSimulated(scenarioName: string, runs: number, essays?: number): SimulatedBench {
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  // Warm-up: let V8 compile the hot paths before measuring.
  for (let seed = 0; seed < Math.min(5, runs); seed++) runSimulation({scenario, strategy: 'buffer', seed: 10_000 + seed, essays})
  const durations: number[] = []
  let built = 0
  const started = performance.now()
  for (let seed = 1; seed <= runs; seed++) {
    const t0 = performance.now()
    const run = runSimulation({scenario, strategy: 'buffer', seed, essays})
    durations.push(performance.now() - t0)
    built = run.scenario.essays
  }
  const seconds = (performance.now() - started) / 1000
  return {
    scenario: scenarioName,
    strategy: 'buffer',
    essays: built,
    runs,
    runsPerSecond: Math.round((runs / seconds) * 10) / 10,
    msPerRun: percentiles(durations),
  }
}

// ---- live ---------------------------------------------------------------------------------------

export interface LiveBenchOptions {
  brokers: readonly string[]
  topicPrefix: string
  /** Events for the throughput phases (raw kafkajs and the relay). */
  events: number
  /** Batches for the end-to-end latency phase (1 registration + `essays` contents each). */
  latencyBatches: number
  essays?: number
  /** Time between two batches in the latency phase. */
  gap?: Micros
  logSink?: (line: string) => void
}

export interface Throughput {
  events: number
  seconds: number
  eventsPerSecond: number
}

export interface LiveBench {
  kafka: {brokers: string[]; clusterId: string; topicPrefix: string; partitions: number}
  /**
   * kafkajs alone: 100 messages per produce request (the relay's batch), acks=all, one request at
   * a time; the better of a run before and a run after the relay's.
   */
  rawKafkajs: Throughput & {batchSize: number}
  /** kafkajs alone, one message per request awaited before the next (a naive per-row relay's ceiling). */
  rawKafkajsOneByOne: Throughput
  /** The relay draining that many committed outbox rows: first poll to last broker ack. */
  relay: Throughput & {ratioToRaw: number}
  /**
   * Outbox commit to ELS handled, per message, with batches committed every `gapMs`; and the
   * part of it from outbox commit to broker ack (the rest is the consumer: fetch, handle, commit).
   */
  endToEnd: {messages: number; batches: number; essays: number; gapMs: number; latencyMs: Percentiles; commitToAckMs: Percentiles}
}

const PROCESSING_FREE: RelaySettings = {publishDelay: fixed(0), pollInterval: ms(100), wake: true}

/**
 * Measures, on one cluster in one run: raw kafkajs producer throughput, the relay's throughput,
 * and end-to-end latency from outbox commit to ELS handled.
 */
export async function benchLive(options: LiveBenchOptions): Promise<LiveBench> {
  const clock = new WallClock()
  // Two namespaces: the latency phase must not consume the throughput phases' messages.
  const busFor = (phase: string): KafkajsBus =>
    new KafkajsBus({
      brokers: options.brokers,
      topicPrefix: `${options.topicPrefix}${phase}-`,
      clientId: 'racelab-bench',
      logSink: options.logSink,
      timeOf: (epochMs) => clock.fromEpochMs(epochMs),
    })
  const bus = busFor('tput')
  const e2eBus = busFor('e2e')
  const info: ClusterInfo = await bus.connect()
  try {
    await e2eBus.connect()
    await e2eBus.ensureTopics(ALL_TOPICS, 3, info)
    const setup = await bus.ensureTopics([...ALL_TOPICS, 'bench.raw', 'bench.raw-one'], 3, info)
    const partitions = setup.partitions[ALL_TOPICS[0]]

    // The records both phases publish: the relay's own content events, re-targeted for raw.
    const ids = new IdSource(7)
    const files = new FileService(ids, {knows: () => true})
    try {
      for (let i = 0; i < options.events; i++) {
        const batch = batchIdOf(Math.floor(i / 25))
        files.finishProcessing({batchId: batch, fileUploadId: fileUploadId(batch, i % 25), fileName: `essay-${i}.docx`, textLength: 1200}, 0)
      }
      const fileRelay = new Relay('file', files.outbox, ids)
      const rows = files.db.prepare('SELECT * FROM outbox ORDER BY id').all() as OutboxRow[]
      const records = rows.map((row) => fileRelay.recordFor(row))
      const rawRecords = (topic: string): BusRecord[] => records.map((record) => ({...record, topic}))

      // Warm-up (connections, metadata, JIT), then raw before and after the relay: the better of
      // the two is the reference, so the relay's ratio is never flattered by a cold raw run.
      await rawThroughput(bus, rawRecords('bench.raw'), 100, Math.min(options.events, 2000))
      const rawBefore = await rawThroughput(bus, rawRecords('bench.raw'), 100, options.events)
      const oneByOne = await rawThroughput(bus, rawRecords('bench.raw-one'), 1, Math.min(options.events, 2000))

      // The relay: every row is committed; it drains them 100 per poll, as in production.
      let lastAck = 0
      let acked = 0
      const relay = new LiveRelay({
        relay: fileRelay,
        bus,
        clock,
        chooser: new Chooser(seededSource(1)),
        settings: () => PROCESSING_FREE,
        pollInterval: ms(100),
        transaction: (work) => files.db.transaction(work)(),
        trace: () => undefined,
        onAck: (_row, _ack, _record, at) => {
          acked++
          lastAck = at
        },
      })
      const started = clock.now()
      relay.start()
      while (files.outbox.countUnpublished() > 0) await sleep(5)
      await relay.stop()
      const seconds = (lastAck - started) / SECOND
      const relayRate = Math.round(acked / seconds)
      const rawAfter = await rawThroughput(bus, rawRecords('bench.raw'), 100, options.events)
      const rawKafkajs = rawAfter.eventsPerSecond > rawBefore.eventsPerSecond ? rawAfter : rawBefore

      const endToEnd = await latency(e2eBus, clock, options)
      return {
        kafka: {brokers: [...options.brokers], clusterId: info.clusterId, topicPrefix: options.topicPrefix, partitions},
        rawKafkajs: {...rawKafkajs, batchSize: 100},
        rawKafkajsOneByOne: oneByOne,
        relay: {events: acked, seconds: round3(seconds), eventsPerSecond: relayRate, ratioToRaw: round3(relayRate / rawKafkajs.eventsPerSecond)},
        endToEnd,
      }
    } finally {
      files.close()
    }
  } finally {
    clock.stop()
    await Promise.all([bus.close(), e2eBus.close()])
  }
}

async function rawThroughput(bus: KafkajsBus, records: readonly BusRecord[], batchSize: number, count: number): Promise<Throughput> {
  // Warm-up request: metadata and connections are not what is measured.
  await bus.produceBatch(records.slice(0, 1))
  const started = performance.now()
  for (let i = 0; i < count; i += batchSize) await bus.produceBatch(records.slice(i, Math.min(count, i + batchSize)))
  const seconds = (performance.now() - started) / 1000
  return {events: count, seconds: round3(seconds), eventsPerSecond: Math.round(count / seconds)}
}

/** Batches committed at a steady pace through BOS and the File Service; ELS consumes them live. */
async function latency(bus: KafkajsBus, clock: WallClock, options: LiveBenchOptions): Promise<LiveBench['endToEnd']> {
  const essays = options.essays ?? 4
  const gap = options.gap ?? ms(20)
  const ids = new IdSource(11)
  const bos = new Bos(ids)
  const files = new FileService(ids, bos)
  const elsDb = Els.openDb()
  const els = new Els('buffer', ids, 24 * 3600 * SECOND, elsDb)
  const chooser = new Chooser(seededSource(2))
  const relayFor = (relay: Relay, db: typeof elsDb): LiveRelay =>
    new LiveRelay({
      relay,
      bus,
      clock,
      chooser,
      settings: () => PROCESSING_FREE,
      pollInterval: ms(100),
      transaction: (work) => db.transaction(work)(),
      trace: () => undefined,
      onAck: (_row, ack, record, at) => ackAt.set(`${ack.topic}|${record.key}`, at),
    })
  const ackAt = new Map<string, Micros>()
  const toAck: number[] = []
  const bosRelay = relayFor(new Relay('bos', bos.outbox, ids), bos.db)
  const fileRelay = relayFor(new Relay('file', files.outbox, ids), files.db)
  const elsRelay = relayFor(new Relay('els', els.outbox, ids), elsDb)
  const committedAt = new Map<string, Micros>()
  const latencies: number[] = []
  const expected = options.latencyBatches * (1 + essays)
  const subscription = await bus.subscribe({
    groupId: `${ELS_GROUP}-bench`,
    topics: ELS_INPUT_TOPICS,
    autoCommit: false,
    maxWaitMs: 10,
    handle: async (message, commit) => {
      const now = clock.now()
      els.handle(message, now)
      const at = committedAt.get(`${message.topic}|${message.key}`)
      if (at !== undefined) latencies.push((now - at) / 1000)
      const acked = ackAt.get(`${message.topic}|${message.key}`)
      if (at !== undefined && acked !== undefined) toAck.push((acked - at) / 1000)
      elsRelay.rowCommitted('els')
      await commit()
    },
  })
  try {
    await Promise.race([subscription.joined, subscription.crashed])
    for (const relay of [bosRelay, fileRelay, elsRelay]) relay.start()
    for (let b = 0; b < options.latencyBatches; b++) {
      const batch = batchIdOf(b)
      const essayIds = Array.from({length: essays}, (_, i) => essayId(batch, i))
      committedAt.set(`${TOPICS.batchEssaysRegistered}|${batch}`, clock.now())
      bos.registerBatch({batchId: batch, essayIds, courseCode: 'BENCH', userId: 'bench'}, clock.now())
      bosRelay.rowCommitted('bos')
      for (let f = 0; f < essays; f++) {
        const upload = fileUploadId(batch, f)
        committedAt.set(`${TOPICS.essayContentProvisioned}|${upload}`, clock.now())
        files.finishProcessing({batchId: batch, fileUploadId: upload, fileName: `essay-${f + 1}.docx`, textLength: 1200}, clock.now())
        fileRelay.rowCommitted('file')
      }
      await clock.sleep(gap).done
    }
    const deadline = performance.now() + 30_000
    while (latencies.length < expected && performance.now() < deadline) await sleep(10)
    return {
      messages: latencies.length,
      batches: options.latencyBatches,
      essays,
      gapMs: gap / 1000,
      latencyMs: percentiles(latencies),
      commitToAckMs: percentiles(toAck),
    }
  } finally {
    await Promise.all([bosRelay.stop(), fileRelay.stop(), elsRelay.stop()])
    await subscription.stop()
    bos.close()
    files.close()
    elsDb.close()
  }
}

/** Topics no other bench uses: `racelab-bench-<time base36><pid base36>-`. */
export function defaultBenchPrefix(): string {
  return `racelab-bench-${Date.now().toString(36)}${process.pid.toString(36)}-`
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}
