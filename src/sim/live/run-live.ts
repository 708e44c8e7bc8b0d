import type Database from 'better-sqlite3'

import type {BusMessage, ProduceAck} from '../bus/bus.js'
import {KafkajsBus, type ClusterInfo, type Subscription, type TopicSetup} from '../bus/kafkajs-bus.js'
import {ALL_TOPICS, SHARED_BATCH_TOPIC} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {formatSeconds, SECOND, type Micros} from '../kernel/time.js'
import {blackBoxLimits} from '../check/black-box-limits.js'
import type {Violation} from '../check/invariant.js'
import {faultDecisions} from '../process/fault-decisions.js'
import type {JudgedRun} from '../process/judged-run.js'
import {wireRun} from '../process/run-wiring.js'
import type {ElsMetrics} from '../services/els.js'
import {optionalMetrics} from '../services/els-metrics.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {Fault} from '../scenario/fault-spec.js'
import {placeInvalidUploads} from '../scenario/invalid-uploads.js'
import {applyOverrides} from '../scenario/overrides.js'
import type {RunShape} from '../scenario/run-shape.js'
import {STRATEGIES} from '../scenario/strategy.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {ANSWER_SETTLE, BlackBoxWatch, ELS_OUTPUT_TOPICS, type BlackBoxReport} from './black-box-watch.js'
import {WallClock} from './clock.js'
import {KafkaMember} from './kafka-member.js'
import {KafkaPublisher} from './kafka-publisher.js'

/** The observer's consumer group: it reads every topic from the beginning to build the Observation. */
export const OBSERVER_GROUP = 'racelab-observer'
/**
 * Wall-clock slack on top of the scenario's liveness bound: consumer fetch waits, timer jitter and
 * a busy CI machine. Generous on purpose: liveness is about batches stuck for good, not speed.
 */
export const LIVE_LIVENESS_SLACK: Micros = 5 * SECOND
/** How long a live run may take after its client started before it is cut off. */
export const DEFAULT_LIVE_TIMEOUT: Micros = 60 * SECOND
/** How long the consumers and clients may take to leave at the end of a live run (ms). */
const STOP_GRACE_MS = 10_000
/** How long the consumer groups may take to form (the mock cluster's first join takes 3 s). */
const JOIN_TIMEOUT_MS = 30_000
const QUIET_CHECK_MS = 20
/**
 * How long the consumers may go without progress, once the relays gave rows up and have nothing
 * left to try, before the run is ended as stuck: with the broker gone they would wait for ever.
 */
export const STUCK_GRACE: Micros = 2 * SECOND
/** kafkajs's errors when it cannot reach a broker (or lost the connection to it). */
const CONNECTION_ERROR = /connect|connection|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|not connected|timed? ?out/i

/**
 * Faults the live shell can inject; broker-unavailable needs control over the broker. An ELS
 * crash or restart disconnects that instance's consumer and connects a fresh one in the same
 * group after ELS_RESTART (plus the rebalance: about 5 s on the mock cluster). The crash fault's
 * points and publish-error live in the shared loops and the client, so they run live as they run
 * in memory; publish-error answers a whole produce request (all the rows of one live send).
 */
export const LIVE_FAULTS: readonly Fault['kind'][] = [
  'relay-crash-after-publish',
  'register-db-error',
  'consumer-crash-before-commit',
  'els-restart',
  'crash',
  'publish-error',
]

/**
 * Live, timers and the broker decide the order of the shared chooser's draws, so each ELS fault
 * draws from a stream of its own: its n-th decision (for the n-th registration or handled
 * message) is fixed by the seed, whatever happens in between.
 */
export function faultChooser(seed: number, kind: 'register-db-error' | 'consumer-crash-before-commit' | 'els-restart' | 'crash'): Chooser {
  const salt = {'register-db-error': 0x5e1, 'consumer-crash-before-commit': 0x5e2, 'els-restart': 0x5e3, crash: 0x5e4}[kind]
  return new Chooser(seededSource((seed * 0x9e3779b1 + salt) >>> 0))
}

export interface LiveRunOptions extends RunShape {
  brokers: readonly string[]
  topicPrefix: string
  /** Cut the run off this long after the client started; default 60 s. */
  timeout?: Micros
  /** Delete the run's topics after the check, where the cluster's admin API allows it. */
  cleanup?: boolean
  /** Called once the cluster answered, the topics exist and the groups formed, before the client starts. */
  onStarted?: (started: {clusterId: string; topics: TopicSetup}) => void
  /** Called with every trace event as it happens (the live timeline). */
  onTrace?: (event: TraceEvent) => void
  /** kafkajs's own log lines (RACELAB_DEBUG); silent when absent. */
  logSink?: (line: string) => void
  /**
   * `external`: racelab runs BOS, the File Service and their relays only; a consumer that runs
   * elsewhere reads the input topics and is judged from its output topics (docs/black-box.md).
   */
  els?: 'external'
}

/**
 * `relays-gave-up`: the client was done, every row left unpublished had used its 5 publishes and
 * no send was in flight, and the consumers had caught up or made no progress for STUCK_GRACE (a
 * broker that died mid-run): nothing could make progress any more.
 */
export type LiveStop = 'quiet' | 'time-limit' | 'consumer-crashed' | 'relays-gave-up' | 'no-consumer-answered'

export interface LiveRelayReport {
  relay: string
  published: number
  failures: number
}

export interface UnpublishedRow {
  service: ServiceName
  rowId: number
  eventType: string
  retryCount: number
  lastError: string | null
}

export interface LiveRunResult extends JudgedRun {
  kafka: {
    brokers: string[]
    clusterId: string
    topicPrefix: string
    /** created with the scenario's partition count, or auto-created by the broker (mock cluster). */
    topics: TopicSetup['mode']
    /** Partitions the scenario asked for, and what each topic has. */
    partitionsAsked: number
    partitions: Record<string, number>
    /** With cleanup: whether the run's topics were deleted (false where the cluster has no admin API). */
    topicsDeleted?: boolean
  }
  /** Wall-clock seconds from the client's first step to the end of the run. */
  elapsedSeconds: number
  stoppedBy: LiveStop
  events: number
  /** Messages the observer read from all topics. */
  observed: number
  relays: LiveRelayReport[]
  /** Outbox rows never published, with their retry count and last error. */
  unpublished: UnpublishedRow[]
  /** ELS's buffer metrics; absent when the consumer is a user's or runs elsewhere. */
  metrics?: ElsMetrics
  /** With `--els external`: what racelab watched, what answered, and what it could not judge. */
  blackBox?: BlackBoxReport
}

export interface LiveRun {
  result: LiveRunResult
  trace: TraceEvent[]
}

/**
 * Runs a scenario on a real Kafka cluster: the same service steps as the simulation (Bos,
 * FileService, Els, Relay) over SQLite, driven by wall-clock timers and the kafkajs bus, then the
 * same checker on what an observer consumer group read back from the topics.
 *
 * Order of a run: connect (or fail with a one-line KafkaUnreachableError), make the topics, let
 * ELS's group and the observer's group join (3 s on the mock cluster), start the relays and the
 * client, and stop once the run is quiet: the client is done, every outbox is drained (or its
 * rows have exhausted their retries), ELS handled every message published to its topics and the
 * observer read every message acked. Or at the timeout.
 */
export async function runLive(options: LiveRunOptions): Promise<LiveRun> {
  const chooser = new Chooser(seededSource(options.seed))
  const overridden = applyOverrides(options.scenario.build(chooser, {essays: options.essays, batches: options.batches}), options)
  const scenario = options.invalid === undefined ? overridden : placeInvalidUploads(overridden, options.invalid, options.seed)
  const plan = STRATEGIES[options.strategy]
  const faults = options.faults ?? []
  const clock = new WallClock()
  // A consumer that runs elsewhere may have seen other runs (and keeps its database): this run's
  // batches get ids no other run has, and only their records are judged.
  const watch = options.els === 'external' ? new BlackBoxWatch(uniqueTag(), scenario) : undefined
  const trace: TraceEvent[] = []
  const emit = (event: TraceEvent): void => {
    trace.push(event)
    options.onTrace?.(event)
  }
  /** Relays that reported the broker unreachable and have not published since. */
  const cutOff = new Set<string>()
  const record = (event: TraceEvent): void => {
    emit(event)
    // Say so once when a relay loses the broker, and once when it is back (live only).
    if (event.ev === 'publish-failed' && !cutOff.has(event.svc) && CONNECTION_ERROR.test(event.error)) {
      cutOff.add(event.svc)
      emit({t: event.t, svc: event.svc, ev: 'broker-unreachable', error: event.error})
    } else if (event.ev === 'published' && cutOff.delete(event.svc)) {
      emit({t: event.t, svc: event.svc, ev: 'broker-reachable'})
    }
  }

  const bus = new KafkajsBus({
    brokers: options.brokers,
    topicPrefix: options.topicPrefix,
    clientId: 'racelab-live',
    logSink: options.logSink,
    timeOf: (epochMs) => clock.fromEpochMs(epochMs),
  })
  const info: ClusterInfo = await bus.connect()

  // Each ELS fault (and the crash fault) draws from a stream of its own (see faultChooser); relay
  // crashes and publish errors from the run's.
  const decisions = faultDecisions(faults, (kind) =>
    kind === 'relay-crash-after-publish' || kind === 'broker-unavailable' || kind === 'publish-error' ? chooser : faultChooser(options.seed, kind),
  )
  let stopping = false
  let crash: Error | undefined
  let crashNow: (error: Error) => void = () => undefined
  /** Rejects with the first consumer crash: ends the wait for the groups to form. */
  const crashed = new Promise<never>((_, reject) => (crashNow = reject))
  crashed.catch(() => undefined)
  const onCrash = (error: Error): void => {
    if (stopping || crash) return
    crash = error
    crashNow(error)
  }
  /** ELS instances that crashed or restarted and have not rejoined their group yet. */
  let elsDown = 0
  /** Wall-clock time ELS instances spent out of the group (a fault's real recovery time). */
  let elsDowntime: Micros = 0
  const progress = new Progress()
  const members: KafkaMember[] = []
  const publishers: KafkaPublisher[] = []
  const run = wireRun(
    {
      scenario,
      strategy: options.strategy,
      seed: options.seed,
      elsInstances: options.elsInstances,
      dbDir: options.dbDir,
      ...(watch ? {els: 'external' as const, batchPrefix: watch.batchPrefix, idSeed: uniqueIdSeed()} : {}),
    },
    {
      clock,
      chooser,
      trace: record,
      // A run that is stopping restarts (or crashes) nobody: the restart would outlive the run.
      faults: {...decisions, restart: () => !stopping && decisions.restart(), crash: (target) => !stopping && decisions.crash(target)},
      publisher: () => {
        const publisher = new KafkaPublisher(bus, clock)
        publishers.push(publisher)
        return publisher
      },
      member: (instanceId, topics, loop) => {
        const member = new KafkaMember({bus, instanceId, topics, loop, joinTimeoutMs: JOIN_TIMEOUT_MS, onCrash})
        members.push(member)
        return member
      },
      relayTransactions: true,
      onAppended: ({ack}, consumedByEls) => progress.acked(ack, consumedByEls),
      consumerHooks: () => {
        let wentDown: Micros = 0
        return {
          onSettled: (message) => progress.handled(message),
          onDown: () => {
            elsDown++
            wentDown = clock.now()
          },
          onRejoined: () => {
            elsDowntime += clock.now() - wentDown
            elsDown--
          },
        }
      },
    },
  )
  const subscriptions: Subscription[] = []
  const stop = async (): Promise<void> => {
    stopping = true
    clock.stop()
    for (const relay of run.relays) relay.stop()
    // Completions are dropped once the clock stopped; wait a little for requests in flight, not
    // for a dead broker's request timeouts.
    await Promise.race([Promise.all(publishers.map((p) => p.settled())), sleepMs(1000)])
    // All at once: with the broker gone each goodbye may wait out its timeout; and not for ever:
    // a kafkajs consumer leaving a dead broker can retry far past the run (racelab never hangs).
    await Promise.race([Promise.all([...members.map((m) => m.stop()), ...subscriptions.splice(0).map((s) => s.stop())]), sleepMs(STOP_GRACE_MS)])
  }
  try {
    const shared = plan.routing === 'shared-topic'
    const topics = shared ? [...ALL_TOPICS, SHARED_BATCH_TOPIC] : [...ALL_TOPICS]
    const setup = await bus.ensureTopics(topics, scenario.partitions, info)
    const observed: BusMessage[] = []
    const observer = await bus.subscribe({
      // Black-box: the topics may hold other runs' records (and be the real, unprefixed ones), so
      // the observer is a group of its own that starts at their end, before the client does.
      groupId: watch ? `${OBSERVER_GROUP}-${watch.batchPrefix}` : OBSERVER_GROUP,
      topics,
      autoCommit: true,
      maxWaitMs: 50,
      ...(watch ? {fromBeginning: false} : {}),
      handle: async (message) => {
        progress.seen(message)
        if (watch && !watch.accept(message, clock.now())) return
        observed.push(message)
      },
    })
    subscriptions.push(observer)
    observer.crashed.catch(onCrash)

    const formed = Promise.all([observer.joined, ...members.map((m) => m.joined)])
    await withTimeout(
      Promise.race([formed, observer.crashed, crashed]),
      JOIN_TIMEOUT_MS,
      `the consumer groups did not form within ${JOIN_TIMEOUT_MS / 1000} s`,
    )

    // The run's clock starts with the client: the groups are formed, every step from here counts.
    options.onStarted?.({clusterId: info.clusterId, topics: setup})
    clock.restart()
    let clientDone = false
    run.startClient(() => {
      clientDone = true
    })

    const deadline = options.timeout ?? DEFAULT_LIVE_TIMEOUT
    const outboxes = [run.bos.outbox, run.files.outbox, ...run.instances.slice(0, 1).map((els) => els.outbox)]
    let stoppedBy: LiveStop
    let lastProgress = {count: -1, at: 0}
    let inputsDoneAt: Micros | undefined
    for (;;) {
      await sleepMs(QUIET_CHECK_MS)
      if (crash) {
        stoppedBy = 'consumer-crashed'
        break
      }
      // Nothing left for the relays to try: every row is published or given up (retry_count 5).
      const relaysDone = clientDone && outboxes.every((outbox) => outbox.unpublished().length === 0)
      if (watch && relaysDone && progress.observerCaughtUp()) {
        // Black-box: racelab's inputs are all on the wire; quiet once every answer came and the
        // outputs settled, or once the consumer stopped answering (or never did).
        const now = clock.now()
        inputsDoneAt ??= now
        if (watch.answered > 0 && now - watch.lastAnswerAt >= ANSWER_SETTLE && watch.allAnswered(run.bos.batches(), run.files.uploads())) {
          stoppedBy = 'quiet'
          break
        }
        if (now - Math.max(watch.lastAnswerAt, inputsDoneAt) >= watch.wait) {
          stoppedBy = watch.answered === 0 ? 'no-consumer-answered' : 'quiet'
          break
        }
      }
      // (Black-box: ELS's progress is unknown; its answers decide, above.)
      const caughtUp = !watch && relaysDone && elsDown === 0 && progress.elsCaughtUp() && progress.observerCaughtUp()
      const givenUp = relaysDone && outboxes.some((outbox) => outbox.countUnpublished() > 0)
      if (caughtUp && !givenUp) {
        stoppedBy = 'quiet'
        break
      }
      if (progress.count !== lastProgress.count) lastProgress = {count: progress.count, at: clock.now()}
      // Rows were given up and no send is in flight: once the consumers caught up, or made no
      // progress for STUCK_GRACE (the broker is gone), nothing can change any more.
      if (givenUp && publishers.every((publisher) => publisher.idle) && (caughtUp || clock.now() - lastProgress.at >= STUCK_GRACE)) {
        stoppedBy = 'relays-gave-up'
        break
      }
      if (clock.now() > deadline) {
        stoppedBy = 'time-limit'
        break
      }
    }
    const endedAt = clock.now()
    // Stop: no step starts from here (every timer ends), then the consumers leave.
    await stop()

    // No order across partitions exists on a real broker: broker time, then the log position.
    const byBrokerTime = [...observed].sort(
      (a, b) =>
        a.appendedAt - b.appendedAt || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || a.offset - b.offset,
    )
    const judged = run.judge({
      endedAt,
      stoppedBy: stoppedBy === 'no-consumer-answered' ? 'quiet' : stoppedBy,
      messages: byBrokerTime,
      trace,
      slack: LIVE_LIVENESS_SLACK + elsDowntime,
    })
    const blackBox: BlackBoxReport | undefined = watch && {
      batchPrefix: watch.batchPrefix,
      published: inputTopicsOf(topics).map((topic) => bus.physical(topic)),
      watched: ELS_OUTPUT_TOPICS.map((topic) => bus.physical(topic)),
      answered: watch.answered,
      answerWaitSeconds: watch.wait / SECOND,
      notJudged: blackBoxLimits({elsRowsNamed: watch.rowsNamed}),
    }
    // Nothing to judge a consumer by when none answered: that is the finding, and the only one.
    const verdict = blackBox && stoppedBy === 'no-consumer-answered' ? {...judged, verdict: 'fail' as const, violations: [noConsumer(blackBox, watch!.wait)]} : judged
    // Only after everything was read: the evidence stays on the broker unless asked otherwise.
    const topicsDeleted = options.cleanup ? await bus.deleteTopics(topics, info) : undefined
    return {
      trace,
      result: {
        ...verdict,
        kafka: {
          brokers: [...options.brokers],
          clusterId: info.clusterId,
          topicPrefix: options.topicPrefix,
          topics: setup.mode,
          partitionsAsked: scenario.partitions,
          partitions: setup.partitions,
          ...(topicsDeleted === undefined ? {} : {topicsDeleted}),
        },
        elapsedSeconds: endedAt / SECOND,
        stoppedBy,
        events: trace.length,
        observed: observed.length,
        relays: run.relays.map((relay) => ({relay: relay.label, published: relay.published, failures: relay.failures})),
        unpublished: [
          ...unpublishedRows('bos', run.bos.db),
          ...unpublishedRows('file', run.files.db),
          ...(run.elsDb ? unpublishedRows('els', run.elsDb) : []),
        ],
        ...optionalMetrics(run.metrics()),
        ...(blackBox ? {blackBox} : {}),
      },
    }
  } finally {
    await stop()
    await Promise.race([bus.close(), sleepMs(STOP_GRACE_MS)])
    run.close()
  }
}

/** Which acked messages ELS handled and the observer read (keys: topic/partition/offset). */
class Progress {
  /** Messages handled by ELS or read by the observer so far: it grows while the consumers progress. */
  count = 0
  private readonly forEls = new Set<string>()
  private readonly handledByEls = new Set<string>()
  private readonly all = new Set<string>()
  private readonly observed = new Set<string>()

  acked(ack: ProduceAck, consumedByEls: boolean): void {
    const key = `${ack.topic}/${ack.partition}/${ack.offset}`
    this.all.add(key)
    if (consumedByEls) this.forEls.add(key)
  }

  handled(message: BusMessage): void {
    this.count++
    this.handledByEls.add(`${message.topic}/${message.partition}/${message.offset}`)
  }

  seen(message: BusMessage): void {
    this.count++
    this.observed.add(`${message.topic}/${message.partition}/${message.offset}`)
  }

  elsCaughtUp(): boolean {
    for (const key of this.forEls) if (!this.handledByEls.has(key)) return false
    return true
  }

  observerCaughtUp(): boolean {
    for (const key of this.all) if (!this.observed.has(key)) return false
    return true
  }
}

function unpublishedRows(service: ServiceName, db: Database.Database): UnpublishedRow[] {
  const rows = db
    .prepare('SELECT id, event_type, retry_count, last_error FROM outbox WHERE published_at IS NULL ORDER BY id')
    .all() as {id: number; event_type: string; retry_count: number; last_error: string | null}[]
  return rows.map((row) => ({service, rowId: row.id, eventType: row.event_type, retryCount: row.retry_count, lastError: row.last_error}))
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}


async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** The input topics among a run's topics (ELS's outputs are the consumer's). */
function inputTopicsOf(topics: readonly string[]): string[] {
  return topics.filter((topic) => !ELS_OUTPUT_TOPICS.includes(topic))
}

/** The one finding of a black-box run no consumer answered. */
function noConsumer(report: BlackBoxReport, wait: Micros): Violation {
  return {
    invariant: 'liveness',
    batchId: '*',
    detail:
      `no consumer answered: nothing for this run's batches (${report.batchPrefix}*) appeared on ${report.watched.join(', ')} ` +
      `within ${formatSeconds(wait)} of racelab's last input on ${report.published.join(', ')}; is the consumer running, on these topics?`,
    events: [],
  }
}

/** A batch id prefix no other run uses (`r<time and pid, base36>-`): the ms clock modulo 2.5 years, and the pid. */
function uniqueTag(): string {
  return `r${(Date.now() % 36 ** 7).toString(36)}${(process.pid % 36 ** 2).toString(36)}-`
}

/** Event ids no other run has (a consumer deduplicates by event id): 32 bits from the clock and the pid. */
function uniqueIdSeed(): number {
  return (Date.now() * 1000 + (process.pid % 1000)) % 2 ** 32
}

/** A topic prefix no other run uses: `racelab-<seed>-<time base36><pid base36>-`. */
export function defaultTopicPrefix(seed: number): string {
  return `racelab-${seed}-${Date.now().toString(36)}${process.pid.toString(36)}-`
}
