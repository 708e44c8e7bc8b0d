import {performance} from 'node:perf_hooks'

import {describeError, KafkajsBus, type Subscription} from '../bus/kafkajs-bus.js'
import {batchId as batchIdOf, essayId, fileUploadId, IdSource} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {FileService} from '../services/file-service.js'
import {Relay} from '../services/relay.js'
import {fixed} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import {WallClock} from '../live/clock.js'
import {KafkaPublisher} from '../live/kafka-publisher.js'
import {RelayLoop, type RelayPublisher} from '../process/relay-loop.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {ConnectionGate} from './connection-gate.js'
import {WireCounter, type WireTally} from './wire-tally.js'

/**
 * The live soak of `racelab bench --kafka` (docs/benchmarks.md, Soak): BOS and the File Service
 * commit `events` outbox rows at a steady pace while their two relays publish them to the cluster;
 * the relays crash after an ack (before published_at) at planned points, and halfway the relays
 * lose the brokers for `outage` (ConnectionGate: every connection reset, new ones refused). Then
 * everything on the soak's topics is read back and counted against the outbox rows.
 */

export interface SoakOptions {
  brokers: readonly string[]
  /** Prefix of the soak's topics and its counting group. */
  topicPrefix: string
  /** Outbox rows to commit: registrations at BOS and contents at the File Service (1 + 4 per batch). */
  events: number
  /** Relay crashes after an ack, spread over the run (default 4). */
  relayCrashes?: number
  /** How long the brokers are unreachable, from the moment half the rows were acked (default 2 s). */
  outage?: Micros
  /** Rows committed per second (default 20,000). */
  rate?: number
  /** Cap on the publishing phase, and separately on the counting phase (default 5 min each). */
  timeout?: Micros
  onProgress?: (progress: SoakProgress) => void
  /** Every relay trace event (failures, crashes, given-up rows; debugging). */
  onRelayEvent?: (event: TraceEvent) => void
  logSink?: (line: string) => void
}

export interface SoakProgress {
  phase: 'publishing' | 'broker down' | 'counting'
  events: number
  committed: number
  acked: number
  read: number
}

export interface SoakGoal {
  name: 'every-row-on-the-wire' | 'wire-equals-rows' | 'nothing-unpublished' | 'faults-happened'
  met: boolean
  detail: string
}

export interface SoakResult {
  /** Outbox rows committed, by service. */
  events: number
  rows: {bos: number; file: number}
  /** From the first commit to the last row marked published. */
  seconds: number
  eventsPerSecond: number
  relayCrashes: {planned: number; happened: number}
  outage: {
    seconds: number
    /** Rows acked when the brokers went away. */
    atAcked: number
    /** Produce requests that failed (during the outage, and any other). */
    failedRequests: number
    connectionsReset: number
    connectionsRefused: number
  }
  /** What the soak's topics held afterwards, counted against the rows. */
  wire: WireTally
  /** Rows still unpublished at the end, and of those the ones given up after 5 failed publishes. */
  unpublished: number
  givenUp: number
  /** True when the publishing or the counting phase hit its cap. */
  timedOut: boolean
  /** Why the counter stopped reading, if its consumer crashed (the wire is then not fully counted). */
  counterError?: string
  goals: SoakGoal[]
  passed: boolean
}

export const SOAK_DEFAULTS = {events: 100_000, relayCrashes: 4, outage: 2 * SECOND, rate: 20_000, timeout: 300 * SECOND}

const ESSAYS_PER_BATCH = 4
const TICK: Micros = ms(10)
/**
 * The writers hold back while they are this many rows ahead of the counter: the mock cluster keeps
 * about 5 MB per partition (some 8,500 content events), and a row it dropped before the counter
 * read it could not be counted. On a 2-core machine the counter shares the CPU with the relays.
 */
export const MAX_COUNTER_LAG = 10_000
const RELAY: RelaySettings = {publishDelay: fixed(0), pollInterval: ms(100), wake: true}
const SOAK_TOPICS = [TOPICS.batchEssaysRegistered, TOPICS.essayContentProvisioned]

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const planned = options.relayCrashes ?? SOAK_DEFAULTS.relayCrashes
  const outage = options.outage ?? SOAK_DEFAULTS.outage
  const rate = options.rate ?? SOAK_DEFAULTS.rate
  const timeout = options.timeout ?? SOAK_DEFAULTS.timeout
  const events = options.events
  const clock = new WallClock()
  const gate = new ConnectionGate()
  const bus = new KafkajsBus({
    brokers: options.brokers,
    topicPrefix: options.topicPrefix,
    clientId: 'racelab-soak',
    logSink: options.logSink,
    socketFactory: gate.socketFactory,
    timeOf: (epochMs) => clock.fromEpochMs(epochMs),
  })
  const info = await bus.connect()
  // The counter reads the wire as it fills, on connections of its own: the outage is between the
  // relays and the brokers. Reading along matters on the mock cluster, which keeps only about 5 MB
  // per partition: what was not read before it was dropped is counted as unread.
  const counterBus = new KafkajsBus({brokers: options.brokers, topicPrefix: options.topicPrefix, clientId: 'racelab-soak-counter', logSink: options.logSink})
  const ids = new IdSource(11)
  const bos = new Bos(ids)
  const files = new FileService(ids, bos)
  const publishers: KafkaPublisher[] = []
  const relays: RelayLoop[] = []
  let subscription: Subscription | undefined
  let progressTimer: ReturnType<typeof setInterval> | undefined
  try {
    await counterBus.connect()
    await bus.ensureTopics(SOAK_TOPICS, 3, info)
    const counting = new WireCounter(['bos', 'file'], events)
    subscription = await counterBus.subscribe({
      groupId: 'soak-counter',
      topics: SOAK_TOPICS,
      autoCommit: true,
      maxWaitMs: 100,
      handle: async (message) => counting.add(message),
    })
    let counterError: string | undefined
    subscription.crashed.catch((error: unknown) => (counterError = describeError(error)))
    await withTimeout(subscription.joined, 30_000, 'the soak counter did not join its group within 30 s')

    // Crash points: after every events/(crashes+1) rows the relays examined, the relay holding the
    // next row crashes after its ack and before published_at (relay-crash-after-publish).
    const crashPoints = Array.from({length: planned}, (_, k) => Math.floor((events * (k + 1)) / (planned + 1)))
    let examined = 0
    let crashed = 0
    let acked = 0
    let committed = 0
    let failedRequests = 0
    let outageAt = -1
    let outageStarted = -1
    let phase: SoakProgress['phase'] = 'publishing'
    const report = (): void => options.onProgress?.({phase, events, committed, acked, read: counting.read})
    progressTimer = setInterval(report, 250)

    const relayFor = (service: 'bos' | 'file', relay: Relay, transaction: (work: () => void) => void): RelayLoop => {
      const inner = new KafkaPublisher(bus, clock)
      publishers.push(inner)
      // Counts failed requests; otherwise the live relay's own publisher.
      const publisher: RelayPublisher = {
        rowsPerSend: inner.rowsPerSend,
        send: (records, outcome) =>
          inner.send(records, {
            appended: (appended) => outcome.appended(appended),
            acked: () => outcome.acked(),
            failed: (error, attempted) => {
              failedRequests++
              outcome.failed(error, attempted)
            },
          }),
      }
      return new RelayLoop({
        clock,
        chooser: new Chooser(seededSource(service === 'bos' ? 1 : 2)),
        relay,
        publisher,
        settings: () => RELAY,
        crashAfterPublish: () => {
          examined++
          if (crashed >= crashPoints.length || examined < crashPoints[crashed]) return false
          crashed++
          return true
        },
        transaction,
        trace: (event) => options.onRelayEvent?.(event),
        onAppended: () => {
          acked++
          if (outageStarted === -1 && acked >= events / 2) {
            // Halfway: the brokers go away for the relays, and come back after `outage`.
            outageStarted = clock.now()
            outageAt = acked
            phase = 'broker down'
            gate.close()
            clock.after(outage, () => {
              gate.open()
              phase = 'publishing'
            })
          }
        },
      })
    }
    const bosRelay = relayFor('bos', new Relay('bos', bos.outbox, ids), (work) => bos.db.transaction(work)())
    const fileRelay = relayFor('file', new Relay('file', files.outbox, ids), (work) => files.db.transaction(work)())
    relays.push(bosRelay, fileRelay)

    // The writers: whole batches (a registration, then its contents), `rate` rows a second.
    const started = performance.now()
    let batch = 0
    const perTick = Math.max(1, Math.round((rate * TICK) / SECOND))
    const commitSome = (): void => {
      if (committed - counting.read > MAX_COUNTER_LAG) {
        clock.after(TICK, commitSome)
        return
      }
      const now = clock.now()
      const until = Math.min(events, committed + perTick)
      while (committed < until) {
        const id = batchIdOf(batch++)
        const contents = Math.min(ESSAYS_PER_BATCH, until - committed - 1)
        bos.registerBatch({batchId: id, essayIds: Array.from({length: Math.max(1, contents)}, (_, i) => essayId(id, i)), courseCode: 'SOAK', userId: 'soak'}, now)
        committed++
        for (let f = 0; f < contents; f++) {
          files.finishProcessing({batchId: id, fileUploadId: fileUploadId(id, f), fileName: `essay-${f + 1}.docx`, textLength: 1200}, now)
          committed++
        }
      }
      bosRelay.rowCommitted('bos')
      fileRelay.rowCommitted('file')
      if (committed < events) clock.after(TICK, commitSome)
    }
    commitSome()

    const retryable = (): number => bos.outbox.unpublished().length + files.outbox.unpublished().length
    const deadline = performance.now() + timeout / 1000
    let timedOut = false
    for (;;) {
      await sleep(20)
      const done = committed >= events && outageStarted !== -1 && gate.isClosed === false && retryable() === 0 && publishers.every((p) => p.idle)
      if (done) break
      // A soak smaller than two relay requests may finish before its halfway mark is acked twice.
      if (committed >= events && outageStarted === -1 && retryable() === 0 && publishers.every((p) => p.idle)) break
      if (performance.now() > deadline) {
        timedOut = true
        break
      }
    }
    const seconds = (performance.now() - started) / 1000
    for (const relay of relays) relay.stop()
    await Promise.all(publishers.map((p) => p.settled()))
    const rows = {
      bos: Number(bos.db.prepare('SELECT count(*) FROM outbox').pluck().get()),
      file: Number(files.db.prepare('SELECT count(*) FROM outbox').pluck().get()),
    }
    const unpublished = bos.outbox.countUnpublished() + files.outbox.countUnpublished()
    const givenUp = unpublished - retryable()

    // Read the wire to its end: every offset each partition holds now.
    phase = 'counting'
    const ends = await counterBus.endOffsets(SOAK_TOPICS)
    const onWire = [...ends.values()].reduce((sum, n) => sum + n, 0)
    const countDeadline = performance.now() + timeout / 1000
    while (!counting.reached(ends) && counterError === undefined && performance.now() < countDeadline) await sleep(50)
    if (!counting.reached(ends) && counterError === undefined) timedOut = true
    await subscription.stop()
    subscription = undefined
    report()

    const tally = counting.tally(rows)
    const total = rows.bos + rows.file
    const goals: SoakGoal[] = [
      {
        name: 'every-row-on-the-wire',
        met: tally.missing === 0,
        detail: tally.missing === 0 ? `all ${total} rows were read back at least once` : `${tally.missing} of ${total} rows never reached the wire`,
      },
      {
        name: 'wire-equals-rows',
        met: tally.messages === total + tally.duplicates && tally.foreign === 0 && tally.unread === 0 && tally.messages === onWire,
        detail:
          `${onWire} messages on the wire = ${tally.rowsSeen} rows + ${tally.duplicates} duplicates` +
          (tally.foreign > 0 ? ` + ${tally.foreign} that name no committed row` : '') +
          (tally.unread > 0 ? ` + ${tally.unread} the broker dropped before they were read` : '') +
          (tally.messages + tally.unread !== onWire ? `; ${onWire - tally.messages - tally.unread} were not read back` : ''),
      },
      {
        name: 'nothing-unpublished',
        met: unpublished === 0,
        detail: unpublished === 0 ? 'every row is marked published' : `${unpublished} rows unpublished (${givenUp} given up after 5 failed publishes)`,
      },
      {
        name: 'faults-happened',
        met: crashed === planned && outageStarted !== -1 && failedRequests > 0,
        detail:
          `${crashed} of ${planned} relay crashes; ` +
          (outageStarted === -1 ? 'the broker restart never happened' : `broker restart at ${outageAt} rows acked, ${failedRequests} produce requests failed`),
      },
    ]
    return {
      events: total,
      rows,
      seconds: round3(seconds),
      eventsPerSecond: Math.round(total / seconds),
      relayCrashes: {planned, happened: crashed},
      outage: {seconds: outage / SECOND, atAcked: outageAt, failedRequests, connectionsReset: gate.reset, connectionsRefused: gate.refused},
      wire: tally,
      unpublished,
      givenUp,
      timedOut,
      ...(counterError === undefined ? {} : {counterError}),
      goals,
      passed: goals.every((goal) => goal.met) && !timedOut && counterError === undefined,
    }
  } finally {
    clearInterval(progressTimer)
    for (const relay of relays) relay.stop()
    clock.stop()
    await subscription?.stop()
    await Promise.all([bus.close(), counterBus.close()])
    bos.close()
    files.close()
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}
