import type Database from 'better-sqlite3'

import type {BusMessage, ProduceAck} from '../bus/bus.js'
import {describeError, KafkajsBus, type ClusterInfo, type Subscription, type TopicSetup} from '../bus/kafkajs-bus.js'
import {judge, type BatchCounts} from '../check/checker.js'
import type {Violation} from '../check/invariant.js'
import {IdSource} from '../domain/ids.js'
import {ALL_TOPICS, ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {Els, type ElsMetrics} from '../services/els.js'
import {FileService} from '../services/file-service.js'
import {CoordinatedRelay, Relay} from '../services/relay.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {draw} from '../scenario/delay.js'
import type {Fault} from '../scenario/fault-spec.js'
import {applyOverrides} from '../scenario/overrides.js'
import type {Scenario} from '../scenario/scenario.js'
import {STRATEGIES, type Strategy} from '../scenario/strategy.js'
import {ELS_GROUP, ELS_RESTART} from '../simulated/consumer-process.js'
import {livenessBound, recoveryAllowance} from '../check/liveness-bound.js'
import {observe} from '../check/observe.js'
import {sumMetrics} from '../services/els-metrics.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {WallClock} from './clock.js'
import {startLiveClient} from './live-client.js'
import {LiveRelay} from './live-relay.js'
import type {RunShape} from '../scenario/run-shape.js'

/** The observer's consumer group: it reads every topic from the beginning to build the Observation. */
export const OBSERVER_GROUP = 'racelab-observer'
/**
 * Wall-clock slack on top of the scenario's liveness bound: consumer fetch waits, timer jitter and
 * a busy CI machine. Generous on purpose: liveness is about batches stuck for good, not speed.
 */
export const LIVE_LIVENESS_SLACK: Micros = 5 * SECOND
/** How long a live run may take after its client started before it is cut off. */
export const DEFAULT_LIVE_TIMEOUT: Micros = 60 * SECOND
/** How long the consumer groups may take to form (the mock cluster's first join takes 3 s). */
const JOIN_TIMEOUT_MS = 30_000
const QUIET_CHECK_MS = 20
/**
 * ELS's session timeout: Kafka's smallest by default (group.min.session.timeout.ms). The mock
 * cluster holds a rebalance after a member left for this long less a second, so an ELS restart
 * costs about 5 s there (the join of an empty group: 3 s).
 */
const ELS_SESSION_TIMEOUT_MS = 6000
/** kafkajs's first retry of a message whose handler threw (the consumer's initialRetryTime). */
const HANDLE_RETRY: Micros = 100_000

/**
 * Faults the live shell can inject; broker-unavailable needs control over the broker. An ELS
 * crash or restart disconnects that instance's consumer and connects a fresh one in the same
 * group after ELS_RESTART (plus the rebalance: about 5 s on the mock cluster).
 */
export const LIVE_FAULTS: readonly Fault['kind'][] = [
  'relay-crash-after-publish',
  'register-db-error',
  'consumer-crash-before-commit',
  'els-restart',
]

/**
 * Live, timers and the broker decide the order of the shared chooser's draws, so each ELS fault
 * draws from a stream of its own: its n-th decision (for the n-th registration or handled
 * message) is fixed by the seed, whatever happens in between.
 */
export function faultChooser(seed: number, kind: 'register-db-error' | 'consumer-crash-before-commit' | 'els-restart'): Chooser {
  const salt = {'register-db-error': 0x5e1, 'consumer-crash-before-commit': 0x5e2, 'els-restart': 0x5e3}[kind]
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
}

export type LiveStop = 'quiet' | 'time-limit' | 'consumer-crashed'

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

export interface LiveRunResult {
  verdict: 'pass' | 'fail'
  seed: number
  scenario: string
  strategy: Strategy
  violations: Violation[]
  batches: BatchCounts[]
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
  metrics: ElsMetrics
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
  const scenario = applyOverrides(options.scenario.build(chooser, {essays: options.essays, batches: options.batches}), options)
  const plan = STRATEGIES[options.strategy]
  const faults = options.faults ?? []
  const percentOf = (kind: Fault['kind']): number =>
    faults.reduce((max, f) => (f.kind === kind && 'percent' in f ? Math.max(max, f.percent) : max), 0)
  const clock = new WallClock()
  const trace: TraceEvent[] = []
  const record = (event: TraceEvent): void => {
    trace.push(event)
    options.onTrace?.(event)
  }

  const bus = new KafkajsBus({
    brokers: options.brokers,
    topicPrefix: options.topicPrefix,
    clientId: 'racelab-live',
    logSink: options.logSink,
    timeOf: (epochMs) => clock.fromEpochMs(epochMs),
  })
  const info: ClusterInfo = await bus.connect()

  const ids = new IdSource(options.seed)
  const bos = new Bos(ids, options.dbDir, plan.routing)
  const files = new FileService(ids, bos, options.dbDir, plan.routing)
  const elsDb = Els.openDb(options.dbDir)
  const registerFailure = percentOf('register-db-error')
  const registerFaults = faultChooser(options.seed, 'register-db-error')
  const crashFaults = faultChooser(options.seed, 'consumer-crash-before-commit')
  const restartFaults = faultChooser(options.seed, 'els-restart')
  // Several ELS instances share one database, as the real instances share theirs.
  const instances = Array.from({length: options.elsInstances ?? 1}, () => {
    const instance = new Els(plan.els, ids, scenario.pendingTimeout, elsDb)
    if (registerFailure > 0) instance.failRegistrationMidway = () => registerFaults.chance(registerFailure, 100)
    return instance
  })
  const els = instances[0]
  const subscriptions: Subscription[] = []
  const relays: LiveRelay[] = []
  let stopping = false
  let crash: Error | undefined
  /** ELS instances that crashed or restarted and have not rejoined their group yet. */
  let elsDown = 0
  /** Wall-clock time ELS instances spent out of the group (a fault's real recovery time). */
  let elsDowntime: Micros = 0
  const rejoins = new Set<Promise<void>>()
  const crashChance = percentOf('consumer-crash-before-commit')
  const restartChance = percentOf('els-restart')
  try {
    const shared = plan.routing === 'shared-topic'
    const topics = shared ? [...ALL_TOPICS, SHARED_BATCH_TOPIC] : [...ALL_TOPICS]
    const elsTopics = new Set<string>(shared ? [...ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC] : ELS_INPUT_TOPICS)
    const setup = await bus.ensureTopics(topics, scenario.partitions, info)

    const progress = new Progress()
    // The relays exist before any consumer runs (ELS wakes its relay); they start with the client.
    const onAck = (_row: unknown, ack: ProduceAck): void => progress.acked(ack, elsTopics.has(ack.topic))
    const crashing = faults.find((f): f is Extract<Fault, {kind: 'relay-crash-after-publish'}> => f.kind === 'relay-crash-after-publish')
    // A per-service relay marks its rows in one transaction of its database; the coordinated
    // relay spans two databases, so each row is marked on its own.
    const liveRelay = (relay: Relay | CoordinatedRelay, db?: Database.Database): LiveRelay =>
      new LiveRelay({
        relay,
        bus,
        clock,
        chooser,
        settings: (source) => scenario.relays[source],
        pollInterval:
          relay instanceof Relay
            ? scenario.relays[relay.service].pollInterval
            : Math.min(scenario.relays.bos.pollInterval, scenario.relays.file.pollInterval),
        transaction: db && ((work) => db.transaction(work)()),
        crashAfterPublish: (source) => (crashing && crashing.relays.includes(source) ? crashing.percent : 0),
        trace: record,
        onAck,
      })
    const bosRelay = new Relay('bos', bos.outbox, ids)
    const fileRelay = new Relay('file', files.outbox, ids)
    const coordinated = plan.relays === 'coordinated' ? liveRelay(new CoordinatedRelay([bosRelay, fileRelay])) : undefined
    const producers = coordinated
      ? {bos: coordinated, file: coordinated}
      : {bos: liveRelay(bosRelay, bos.db), file: liveRelay(fileRelay, files.db)}
    const elsRelay = liveRelay(new Relay('els', els.outbox, ids), elsDb)
    relays.push(...new Set([producers.bos, producers.file, elsRelay]))
    const observed: BusMessage[] = []
    const observer = await bus.subscribe({
      groupId: OBSERVER_GROUP,
      topics,
      autoCommit: true,
      maxWaitMs: 50,
      handle: async (message) => {
        observed.push(message)
        progress.seen(message)
      },
    })
    subscriptions.push(observer)

    let expiryCancel: (() => void) | undefined
    let expiryAt: Micros | undefined
    const afterElsWrite = (): void => {
      elsRelay.rowCommitted('els')
      const next = els.nextExpiryAt()
      if (next === expiryAt) return
      expiryCancel?.()
      expiryAt = next
      expiryCancel = next === undefined ? undefined : clock.after(next - clock.now(), expirePending)
    }
    const expirePending = (): void => {
      expiryAt = undefined
      expiryCancel = undefined
      const now = clock.now()
      for (const row of els.expire(now)) record({t: now, svc: 'els', ev: 'expired', batch: row.batch_id, kind: row.kind, ref: row.ref})
      afterElsWrite()
    }

    /**
     * One ELS instance's membership of the group: a consumer that handles, then commits. A crash
     * before the commit, or a restart after it, disconnects that consumer (the instance's process
     * memory is lost) and connects a fresh one in the same group after ELS_RESTART: Kafka hands
     * it the partitions again, from their committed offsets.
     */
    const joinEls = async (instance: Els, svc: string): Promise<Subscription> => {
      let down = false
      const subscription: Subscription = await bus.subscribe({
        groupId: ELS_GROUP,
        topics: [...elsTopics],
        autoCommit: false,
        maxWaitMs: 10,
        sessionTimeoutMs: ELS_SESSION_TIMEOUT_MS,
        handle: async (message, commit) => {
          if (down) throw new Error('ELS is restarting') // this consumer is leaving: not handled, not committed
          const handling = draw(scenario.elsHandling, chooser)
          if (handling > 0) await clock.sleep(handling).done
          if (stopping || down) throw new Error('ELS is shutting down') // not handled, not committed
          const now = clock.now()
          let handled: ReturnType<Els['handle']>
          try {
            handled = instance.handle(message, now)
          } catch (error) {
            // Rolled back whole; kafkajs delivers the message again (its offset was not committed).
            const detail = describeError(error)
            record({t: now, svc, ev: 'handle-failed', type: message.topic, partition: message.partition, offset: message.offset, error: detail, retryIn: HANDLE_RETRY})
            throw error
          }
          record({
            t: now,
            svc,
            ev: 'handled',
            type: message.topic,
            partition: message.partition,
            offset: message.offset,
            outcome: handled.outcome,
            emitted: handled.emitted,
          })
          afterElsWrite()
          if (crashChance > 0 && crashFaults.chance(crashChance, 100)) {
            // Crashed after the transaction, before the commit: the message counts as handled
            // only once it is handled again, after the redelivery.
            record({t: now, svc, ev: 'els-crashed', partition: message.partition, offset: message.offset, restartIn: ELS_RESTART})
            down = true
            goDown(instance, svc, subscription)
            return
          }
          progress.handled(message)
          // The real ELS commits the offset only after its transaction committed.
          await commit()
          if (restartChance > 0 && !stopping && restartFaults.chance(restartChance, 100)) {
            record({t: clock.now(), svc, ev: 'els-restarted', restartIn: ELS_RESTART})
            down = true
            goDown(instance, svc, subscription)
          }
        },
      })
      subscriptions.push(subscription)
      subscription.crashed.catch((error: Error) => {
        crash ??= error
      })
      return subscription
    }

    /**
     * Leaves the group (kafkajs stops before the next message, so nothing more is handled or
     * committed by this consumer), loses process memory, and rejoins after ELS_RESTART. Not
     * awaited by the handler: the disconnect waits for the handler to return.
     */
    const goDown = (instance: Els, svc: string, subscription: Subscription): void => {
      elsDown++
      const wentDown = clock.now()
      const left = subscription.stop()
      subscriptions.splice(subscriptions.indexOf(subscription), 1)
      instance.restart()
      const rejoin = (async () => {
        await left
        if (!(await clock.sleep(ELS_RESTART).done) || stopping) return
        const fresh = await joinEls(instance, svc)
        if (stopping) return
        // Ends early when the run stops (the clock stops every wait).
        const joinWait = clock.sleep(JOIN_TIMEOUT_MS * 1000)
        const partitions = await Promise.race([fresh.joined, fresh.crashed, joinWait.done.then(() => undefined)])
        joinWait.wake()
        if (stopping) return
        if (partitions === undefined) throw new Error(`${svc} did not rejoin its consumer group within ${JOIN_TIMEOUT_MS / 1000} s`)
        elsDowntime += clock.now() - wentDown
        record({t: clock.now(), svc, ev: 'els-rejoined', partitions})
        elsDown--
      })().catch((error: Error) => {
        crash ??= error
      })
      rejoins.add(rejoin)
      void rejoin.finally(() => rejoins.delete(rejoin))
    }

    for (const [i, instance] of instances.entries()) await joinEls(instance, instances.length === 1 ? 'els' : `els-${i + 1}`)

    const crashed = Promise.race(subscriptions.map((s) => s.crashed))
    await withTimeout(
      Promise.race([Promise.all(subscriptions.map((s) => s.joined)), crashed]),
      JOIN_TIMEOUT_MS,
      `the consumer groups did not form within ${JOIN_TIMEOUT_MS / 1000} s`,
    )

    // The run's clock starts with the client: the groups are formed, every step from here counts.
    options.onStarted?.({clusterId: info.clusterId, topics: setup})
    clock.restart()
    for (const relay of relays) relay.start()

    let clientDone = false
    void startLiveClient(clock, chooser, scenario, bos, files, record, {
      bosCommitted: () => producers.bos.rowCommitted('bos'),
      fileCommitted: () => producers.file.rowCommitted('file'),
    }).then(() => {
      clientDone = true
    })

    const deadline = options.timeout ?? DEFAULT_LIVE_TIMEOUT
    const outboxes = [bos.outbox, files.outbox, els.outbox]
    crashed.catch((error: Error) => {
      crash ??= error
    })
    let stoppedBy: LiveStop
    for (;;) {
      await sleepMs(QUIET_CHECK_MS)
      if (crash) {
        stoppedBy = 'consumer-crashed'
        break
      }
      const quiet =
        clientDone &&
        elsDown === 0 &&
        outboxes.every((outbox) => outbox.unpublished().length === 0) &&
        progress.elsCaughtUp() &&
        progress.observerCaughtUp()
      if (quiet) {
        stoppedBy = 'quiet'
        break
      }
      if (clock.now() > deadline) {
        stoppedBy = 'time-limit'
        break
      }
    }
    const endedAt = clock.now()

    // Stop: no step starts from here (every timer and wait ends), then the consumers leave.
    stopping = true
    clock.stop()
    await Promise.all(relays.map((relay) => relay.stop()))
    await settleRejoins(rejoins)
    await Promise.all(subscriptions.map((s) => s.stop()))

    // No order across partitions exists on a real broker: broker time, then the log position.
    const byBrokerTime = [...observed].sort(
      (a, b) =>
        a.appendedAt - b.appendedAt || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || a.offset - b.offset,
    )
    const observation = observe({endedAt, livenessBound: liveBound(scenario, trace) + elsDowntime, messages: byBrokerTime, bos, files, els})
    // Only after everything was read: the evidence stays on the broker unless asked otherwise.
    const topicsDeleted = options.cleanup ? await bus.deleteTopics(topics, info) : undefined
    return {
      trace,
      result: {
        ...judge(observation),
        seed: options.seed,
        scenario: scenario.name,
        strategy: options.strategy,
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
        relays: relays.map((relay) => ({relay: relay.label, published: relay.published, failures: relay.failures})),
        unpublished: [
          ...unpublishedRows('bos', bos.db),
          ...unpublishedRows('file', files.db),
          ...unpublishedRows('els', elsDb),
        ],
        metrics: sumMetrics(instances.map((instance) => instance.metrics)),
      },
    }
  } finally {
    stopping = true
    clock.stop()
    await Promise.all(relays.map((relay) => relay.stop()))
    await settleRejoins(rejoins)
    await Promise.all(subscriptions.map((s) => s.stop()))
    await bus.close()
    bos.close()
    files.close()
    elsDb.close()
  }
}

/** Which acked messages ELS handled and the observer read (keys: topic/partition/offset). */
class Progress {
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
    this.handledByEls.add(`${message.topic}/${message.partition}/${message.offset}`)
  }

  seen(message: BusMessage): void {
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

/** The scenario's liveness bound, plus recovery time of faults that fired, plus wall-clock slack. */
function liveBound(scenario: Scenario, trace: readonly TraceEvent[]): Micros {
  return livenessBound(scenario) + recoveryAllowance(trace) + LIVE_LIVENESS_SLACK
}

function unpublishedRows(service: ServiceName, db: Database.Database): UnpublishedRow[] {
  const rows = db
    .prepare('SELECT id, event_type, retry_count, last_error FROM outbox WHERE published_at IS NULL ORDER BY id')
    .all() as {id: number; event_type: string; retry_count: number; last_error: string | null}[]
  return rows.map((row) => ({service, rowId: row.id, eventType: row.event_type, retryCount: row.retry_count, lastError: row.last_error}))
}

/**
 * Lets ELS instances that are rejoining finish connecting (so their consumers can be stopped),
 * but not forever: a run that is over must not hang on a rejoin.
 */
async function settleRejoins(rejoins: ReadonlySet<Promise<void>>, ms = 5000): Promise<void> {
  if (rejoins.size === 0) return
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([Promise.all(rejoins), new Promise<void>((done) => (timer = setTimeout(done, ms)))])
  clearTimeout(timer)
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

/** A topic prefix no other run uses: `racelab-<seed>-<time base36><pid base36>-`. */
export function defaultTopicPrefix(seed: number): string {
  return `racelab-${seed}-${Date.now().toString(36)}${process.pid.toString(36)}-`
}
