import {MemoryBus} from '../bus/memory-bus.js'
import {judge, type BatchCounts} from '../check/checker.js'
import type {Violation} from '../check/invariant.js'
import {livenessBound, recoveryAllowance} from '../check/liveness-bound.js'
import {observe} from '../check/observe.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC} from '../domain/topics.js'
import {Chooser, replaySource, seededSource} from '../kernel/chooser.js'
import {encodeSchedule} from '../kernel/schedule.js'
import {Simulation, type StopReason} from '../kernel/simulation.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {Els, type ElsMetrics} from '../services/els.js'
import {sumMetrics} from '../services/els-metrics.js'
import {FileService} from '../services/file-service.js'
import {CoordinatedRelay, Relay} from '../services/relay.js'
import {closeServiceDb, type ServiceName} from '../sqlite/service-db.js'
import {maxOf} from '../scenario/delay.js'
import type {Fault} from '../scenario/fault-spec.js'
import {applyOverrides} from '../scenario/overrides.js'
import type {RunShape} from '../scenario/run-shape.js'
import {batchLayouts, type Scenario} from '../scenario/scenario.js'
import {InputError} from '../input-error.js'
import {STRATEGIES, type Strategy} from '../scenario/strategy.js'
import {BrokerAvailability} from './broker-availability.js'
import {startClient} from './client.js'
import {ConsumerProcess, type ElsInstance} from './consumer-process.js'
import type {DeliveryPlan} from '../process/delivery-plan.js'
import {RelayProcess} from './relay-process.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** About 40 s of simulation; more is a typo, not a test. */
export const MAX_FILES_PER_RUN = 200_000

export interface RunOptions extends RunShape {
  /** Replay these choices instead of drawing from the seed. */
  schedule?: readonly number[]
  /** Force the order in which ELS receives messages (fixtures). */
  plan?: DeliveryPlan
  /** Tests build ELS variants (the post-fix bugs) through this. */
  makeEls?: (strategy: Els['strategy'], ids: IdSource, pendingTimeout: Micros, db: Els['db']) => ElsInstance & Partial<Els>
}

export interface RunResult {
  verdict: 'pass' | 'fail'
  seed: number
  scenario: string
  strategy: Strategy
  violations: Violation[]
  batches: BatchCounts[]
  /** Virtual time from the start to the last simulated event, in seconds. */
  simulatedSeconds: number
  stoppedBy: StopReason
  events: number
  steps: number
  metrics: ElsMetrics
  /** The recorded choices, encoded (see `schedule.ts`). */
  schedule: string
}

export interface SimulationRun {
  result: RunResult
  trace: TraceEvent[]
  /** The scenario as run, after overrides (fixtures record it). */
  scenario: Scenario
}

/** Runs a scenario once in virtual time over three SQLite databases and the memory bus, then checks it. */
export function runSimulation(options: RunOptions): SimulationRun {
  const chooser = new Chooser(options.schedule ? replaySource(options.schedule) : seededSource(options.seed))
  const sim = new Simulation(chooser)
  const built = options.scenario.build(chooser, {essays: options.essays, batches: options.batches})
  const scenario = applyOverrides(built, options)
  const fileCount = batchLayouts(scenario).reduce((sum, batch) => sum + batch.files.length, 0)
  if (fileCount > MAX_FILES_PER_RUN) {
    throw new InputError(
      `--essays × --batches: ${fileCount.toLocaleString('en')} files in one run; a run takes at most ${MAX_FILES_PER_RUN.toLocaleString('en')} (use verify for breadth)`,
    )
  }
  const plan = STRATEGIES[options.strategy]
  const faults = options.faults ?? []
  const ids = new IdSource(options.seed)
  const trace: TraceEvent[] = []
  const record = (event: TraceEvent): void => {
    trace.push(event)
  }

  const bus = new MemoryBus({defaultPartitions: scenario.partitions})
  const broker = new BrokerAvailability(faults.flatMap((f) => (f.kind === 'broker-unavailable' ? [f] : [])))
  const percentOf = (kind: Fault['kind']): number =>
    faults.reduce((sum, f) => (f.kind === kind && 'percent' in f ? Math.max(sum, f.percent) : sum), 0)
  const bos = new Bos(ids, options.dbDir, plan.routing)
  const files = new FileService(ids, bos, options.dbDir, plan.routing)
  const elsDb = Els.openDb(options.dbDir)
  try {
    const topics = plan.routing === 'shared-topic' ? [...ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC] : ELS_INPUT_TOPICS
    const instanceCount = options.elsInstances ?? 1
    const registerFailure = percentOf('register-db-error')
    const instances: (ElsInstance & Partial<Els>)[] = []
    const consumers: ConsumerProcess[] = []
    for (let i = 0; i < instanceCount; i++) {
      const els = options.makeEls
        ? options.makeEls(plan.els, ids, scenario.pendingTimeout, elsDb)
        : new Els(plan.els, ids, scenario.pendingTimeout, elsDb)
      if (registerFailure > 0) els.failRegistrationMidway = () => chooser.percent(registerFailure)
      instances.push(els)
      consumers.push(
        new ConsumerProcess({
          sim,
          bus,
          instanceId: instanceCount === 1 ? 'els' : `els-${i + 1}`,
          els,
          topics,
          handling: scenario.elsHandling,
          broker,
          faults: {crashBeforeCommit: percentOf('consumer-crash-before-commit'), restart: percentOf('els-restart')},
          plan: options.plan,
          trace: record,
          onHandled: () => afterElsWrite(),
          onRebalance: () => consumers.forEach((c) => c.kick()),
        }),
      )
    }
    for (const consumer of consumers) consumer.join()
    const primary = instances[0] as Els
    const crashing = faults.find((f) => f.kind === 'relay-crash-after-publish')
    // One process does both relays' work: it lags like the slower of the two, and the skew
    // between them is gone (which is why coordination closes the race).
    const slowest = [scenario.relays.bos.publishDelay, scenario.relays.file.publishDelay].reduce((a, b) =>
      maxOf(b) > maxOf(a) ? b : a,
    )
    const relayProcess = (relay: Relay | CoordinatedRelay, consumed: boolean): RelayProcess =>
      new RelayProcess({
        sim,
        relay,
        bus,
        settings: (source: ServiceName) =>
          relay instanceof CoordinatedRelay ? {...scenario.relays[source], publishDelay: slowest} : scenario.relays[source],
        kafkaLatency: scenario.kafkaLatency,
        broker,
        crashAfterPublish: (source) => (crashing && crashing.relays.includes(source) ? crashing.percent : 0),
        trace: record,
        onAppended: (visibleAt) => {
          if (consumed) for (const consumer of consumers) consumer.messageAppended(visibleAt)
        },
      })
    const bosRelay = new Relay('bos', bos.outbox, ids)
    const fileRelay = new Relay('file', files.outbox, ids)
    const producers =
      plan.relays === 'coordinated'
        ? (() => {
            const one = relayProcess(new CoordinatedRelay([bosRelay, fileRelay]), true)
            return {bos: one, file: one}
          })()
        : {bos: relayProcess(bosRelay, true), file: relayProcess(fileRelay, true)}
    const elsRelay = relayProcess(new Relay('els', primary.outbox, ids), false)

    // ELS's own events leave through its outbox: wake its relay after every ELS write, and keep
    // one expiry step scheduled for the oldest buffered event.
    let expiry: ReturnType<Simulation['at']> | undefined
    function afterElsWrite(): void {
      elsRelay.rowCommitted('els')
      const next = primary.nextExpiryAt()
      if (next === expiry?.time && !expiry?.cancelled) return
      sim.cancel(expiry)
      expiry = next === undefined ? undefined : sim.at(next, expirePending)
    }
    function expirePending(): void {
      expiry = undefined
      for (const row of primary.expire(sim.now)) {
        record({t: sim.now, svc: 'els', ev: 'expired', batch: row.batch_id, kind: row.kind, ref: row.ref})
      }
      afterElsWrite()
    }

    startClient(sim, scenario, bos, files, record, {
      bosCommitted: () => producers.bos.rowCommitted('bos'),
      fileCommitted: () => producers.file.rowCommitted('file'),
    })
    const stoppedBy = sim.run(scenario.pendingTimeout + 3600 * SECOND)

    const outages = faults.reduce((sum, f) => (f.kind === 'broker-unavailable' ? sum + f.to - f.from : sum), 0)
    const bound = livenessBound(scenario) + recoveryAllowance(trace) + outages
    const observation = observe({endedAt: sim.now, livenessBound: bound, messages: bus.messages(), bos, files, els: primary})
    return {
      trace,
      scenario,
      result: {
        ...judge(observation),
        seed: options.seed,
        scenario: scenario.name,
        strategy: options.strategy,
        simulatedSeconds: (trace.length > 0 ? trace[trace.length - 1].t : 0) / SECOND,
        stoppedBy,
        events: trace.length,
        steps: sim.steps,
        metrics: sumMetrics(instances.map((i) => i.metrics).filter((m) => m !== undefined)),
        schedule: encodeSchedule(chooser.schedule),
      },
    }
  } finally {
    bos.close()
    files.close()
    closeServiceDb(elsDb)
  }
}
