import {performance} from 'node:perf_hooks'

import type {BusRecord} from '../bus/bus.js'
import {KafkajsBus, type ClusterInfo} from '../bus/kafkajs-bus.js'
import {batchId as batchIdOf, fileUploadId, IdSource} from '../domain/ids.js'
import {ALL_TOPICS} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {FileService} from '../services/file-service.js'
import type {OutboxRow} from '../outbox/outbox.js'
import {Relay} from '../services/relay.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {fixed} from '../scenario/delay.js'
import type {RelaySettings, ScenarioDefinition} from '../scenario/scenario.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {WallClock} from '../live/clock.js'
import {KafkaPublisher} from '../live/kafka-publisher.js'
import {runLive} from '../live/run-live.js'
import {RelayLoop} from '../process/relay-loop.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {BENCH_PASSES, seedSlices, timedPasses} from './timed-passes.js'
import {WARM_UP_RUNS} from './warm-up.js'

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
  /** The runs over the wall time of every pass together: the mean, the headline. */
  runsPerSecond: number
  /** Seeds 1..runs were timed in this many consecutive slices (timed-passes.ts). */
  passes: number
  /** The fastest pass's runs/s: the least disturbed estimate on a shared machine. */
  bestPassRunsPerSecond: number
  /** The runs over the process's CPU seconds (V8's helper threads included, so a lower bound). */
  runsPerCpuSecond: number
  /** Wall-clock milliseconds per run. */
  msPerRun: Percentiles
  /** Virtual time simulated per second of wall clock, over every run. */
  simulatedPerWallSecond: number
  /** The same, in the fastest pass (simulated seconds over its wall seconds). */
  bestPassSimulatedPerWallSecond: number
}

/** Runs a built-in scenario `runs` times (seeds 1..runs in `passes` slices, strategy buffer) and times each run and each pass. */
export function benchSimulated(scenarioName: string, runs: number, essays?: number, passes = BENCH_PASSES): SimulatedBench {
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  // Warm-up: let V8 optimize the hot paths before measuring (warm-up.ts says why so many).
  for (let seed = 0; seed < Math.min(WARM_UP_RUNS, runs); seed++) runSimulation({scenario, strategy: 'buffer', seed: 10_000 + seed, essays})
  const durations: number[] = []
  let built = 0
  const slices = seedSlices(runs, passes)
  const simulatedPerPass = slices.map(() => 0)
  const times = timedPasses(slices.length, (pass) => {
    for (let seed = slices[pass].from; seed <= slices[pass].to; seed++) {
      const t0 = performance.now()
      const run = runSimulation({scenario, strategy: 'buffer', seed, essays})
      durations.push(performance.now() - t0)
      built = run.scenario.essays
      simulatedPerPass[pass] += run.result.simulatedSeconds
    }
  })
  const seconds = times.wall.reduce((sum, t) => sum + t, 0)
  const simulatedSeconds = simulatedPerPass.reduce((sum, t) => sum + t, 0)
  const round = (n: number): number => Math.round(n * 10) / 10
  return {
    scenario: scenarioName,
    strategy: 'buffer',
    essays: built,
    runs,
    runsPerSecond: round(runs / seconds),
    passes: slices.length,
    bestPassRunsPerSecond: round(Math.max(...slices.map((slice, i) => (slice.to - slice.from + 1) / times.wall[i]))),
    runsPerCpuSecond: round(runs / times.cpu),
    msPerRun: percentiles(durations),
    simulatedPerWallSecond: Math.round(simulatedSeconds / seconds),
    bestPassSimulatedPerWallSecond: Math.round(Math.max(...simulatedPerPass.map((sim, i) => sim / times.wall[i]))),
  }
}

// ---- a user's handler ---------------------------------------------------------------------------

/** The handler bench's goal: a handler run costs at most this many built-in strategy runs. */
export const HANDLER_GOAL = 1.5

export interface HandlerBench {
  scenario: string
  handler: string
  runs: number
  /** Wall-clock ms per run of the built-in buffer strategy and of the handler in its place, same seeds. */
  builtinMsPerRun: Percentiles
  handlerMsPerRun: Percentiles
  /** handler / built-in, of the means (the goal's figure: total time over the same seeds) and of the medians. */
  ratio: {mean: number; p50: number}
  goal: number
  met: boolean
}

/**
 * A handler run against a built-in one (docs/handlers.md#cost): the same scenario and seeds, the
 * built-in buffer strategy and the handler in its place, timed in turn (built-in, then handler,
 * seed by seed) so the machine's other load falls on both alike.
 */
export async function benchHandler(handlerPath: string, scenarioName: string, runs: number): Promise<HandlerBench> {
  const {loadHandler} = await import('../consumer/handler-loader.js')
  await loadHandler(handlerPath)
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  const run = (seed: number, handler?: string): number => {
    const t0 = performance.now()
    runSimulation({scenario, strategy: 'buffer', seed, handler})
    return performance.now() - t0
  }
  for (let seed = 0; seed < Math.min(5, runs); seed++) {
    run(10_000 + seed)
    run(10_000 + seed, handlerPath)
  }
  const builtin: number[] = []
  const handler: number[] = []
  for (let seed = 1; seed <= runs; seed++) {
    builtin.push(run(seed))
    handler.push(run(seed, handlerPath))
  }
  const builtinMsPerRun = percentiles(builtin)
  const handlerMsPerRun = percentiles(handler)
  const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100
  const mean = ratio(handlerMsPerRun.mean, builtinMsPerRun.mean)
  return {
    scenario: scenarioName,
    handler: handlerPath,
    runs,
    builtinMsPerRun,
    handlerMsPerRun,
    ratio: {mean, p50: ratio(handlerMsPerRun.p50, builtinMsPerRun.p50)},
    goal: HANDLER_GOAL,
    met: mean <= HANDLER_GOAL,
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

/** The live bench's goal: the relay reaches at least this share of raw kafkajs throughput. */
export const RELAY_GOAL = 0.5

/** Whether a live bench met its goal (racelab bench exits 1 when it did not). */
export function relayGoalMet(live: LiveBench): boolean {
  return live.relay.ratioToRaw >= RELAY_GOAL
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
  // Two namespaces: the latency phase (a live run, prefix e2e-) must not consume these messages.
  const bus = new KafkajsBus({
    brokers: options.brokers,
    topicPrefix: `${options.topicPrefix}tput-`,
    clientId: 'racelab-bench',
    logSink: options.logSink,
    timeOf: (epochMs) => clock.fromEpochMs(epochMs),
  })
  const info: ClusterInfo = await bus.connect()
  try {
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
      const publisher = new KafkaPublisher(bus, clock)
      const relay = new RelayLoop({
        clock,
        chooser: new Chooser(seededSource(1)),
        relay: fileRelay,
        publisher,
        settings: () => PROCESSING_FREE,
        crashAfterPublish: () => false,
        transaction: (work) => files.db.transaction(work)(),
        trace: () => undefined,
        onAppended: () => {
          acked++
          lastAck = clock.now()
        },
      })
      const started = clock.now()
      relay.rowCommitted('file')
      while (files.outbox.countUnpublished() > 0) await sleep(5)
      relay.stop()
      await publisher.settled()
      const seconds = (lastAck - started) / SECOND
      const relayRate = Math.round(acked / seconds)
      const rawAfter = await rawThroughput(bus, rawRecords('bench.raw'), 100, options.events)
      const rawKafkajs = rawAfter.eventsPerSecond > rawBefore.eventsPerSecond ? rawAfter : rawBefore

      const endToEnd = await latency(options.brokers, `${options.topicPrefix}e2e-`, options)
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
    await bus.close()
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

/**
 * Batches committed at a steady pace through BOS and the File Service, consumed live by ELS: a
 * live run (the same wiring as \`racelab run --kafka\`) of a scenario with no processing or publish
 * delays, measured from its trace: outbox commit to broker ack, and to ELS handled.
 */
async function latency(brokers: readonly string[], topicPrefix: string, options: LiveBenchOptions): Promise<LiveBench['endToEnd']> {
  const essays = options.essays ?? 4
  const gap = options.gap ?? ms(20)
  const instant = fixed(0)
  const paced: ScenarioDefinition = {
    name: 'bench-latency',
    summary: 'batches committed at a steady pace, nothing delayed',
    build: (chooser) => ({
      ...BUILTIN_SCENARIOS.get('registration-first')!.build(chooser, {essays, batches: options.latencyBatches}),
      batchGap: fixed(gap),
      uploadGap: instant,
      processing: () => instant,
      elsHandling: instant,
      relays: {bos: PROCESSING_FREE, file: PROCESSING_FREE, els: PROCESSING_FREE},
    }),
    expect: BUILTIN_SCENARIOS.get('registration-first')!.expect,
  }
  const {trace} = await runLive({scenario: paced, strategy: 'buffer', seed: 2, brokers, topicPrefix, logSink: options.logSink})
  const measured = latencyOf(trace)
  return {messages: measured.messages, batches: options.latencyBatches, essays, gapMs: gap / 1000, latencyMs: measured.latencyMs, commitToAckMs: measured.commitToAckMs}
}

/** Commit to ack and commit to handled, per message, read off a live run's trace. */
export function latencyOf(trace: readonly TraceEvent[]): {messages: number; latencyMs: Percentiles; commitToAckMs: Percentiles} {
  const committed = new Map<string, Micros>()
  const published = new Map<string, {row: string; at: Micros}>()
  const toAck: number[] = []
  const latencies: number[] = []
  for (const event of trace) {
    if (event.ev === 'batch-registered') committed.set(`bos-relay/${event.row}`, event.t)
    else if (event.ev === 'file-committed') committed.set(`file-relay/${event.row}`, event.t)
    else if (event.ev === 'published') {
      const row = `${event.svc}/${event.row}`
      const at = committed.get(row)
      if (at === undefined) continue
      published.set(`${event.type}/${event.partition}/${event.offset}`, {row, at})
      toAck.push((event.t - at) / 1000)
    } else if (event.ev === 'handled') {
      const sent = published.get(`${event.type}/${event.partition}/${event.offset}`)
      if (sent) latencies.push((event.t - sent.at) / 1000)
    }
  }
  return {messages: latencies.length, latencyMs: percentiles(latencies), commitToAckMs: percentiles(toAck)}
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
