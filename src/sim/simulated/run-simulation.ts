import {MemoryBus} from '../bus/memory-bus.js'
import {batchCounts, check, type BatchCounts} from '../check/checker.js'
import type {Violation} from '../check/invariant.js'
import type {Observation, ObservedMessage, ObservedOutboxRow} from '../check/observation.js'
import {parseEnvelope} from '../domain/events.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS} from '../domain/topics.js'
import {Chooser, replaySource, seededSource} from '../kernel/chooser.js'
import {encodeSchedule} from '../kernel/schedule.js'
import {Simulation, type StopReason} from '../kernel/simulation.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {Els, type ElsMetrics} from '../services/els.js'
import type {ElsStrategy} from '../services/els-strategy.js'
import {FileService} from '../services/file-service.js'
import {Relay} from '../services/relay.js'
import type {ServiceName} from '../services/service-db.js'
import {maxOf} from '../scenario/delay.js'
import type {Scenario, ScenarioDefinition} from '../scenario/scenario.js'
import {startClient} from './client.js'
import {ConsumerProcess, ELS_GROUP} from './consumer-process.js'
import {RelayProcess} from './relay-process.js'
import type {TraceEvent} from './trace.js'

export interface RunOptions {
  scenario: ScenarioDefinition
  strategy: ElsStrategy
  seed: number
  essays?: number
  batches?: number
  /** Directory for the three SQLite files; in memory when absent. */
  dbDir?: string
  /** Replay these choices instead of drawing from the seed. */
  schedule?: readonly number[]
}

export interface RunResult {
  verdict: 'pass' | 'fail'
  seed: number
  scenario: string
  strategy: ElsStrategy
  violations: Violation[]
  batches: BatchCounts[]
  /** Virtual time from the first to the last simulated event, in seconds. */
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
}

/** Runs a scenario once in virtual time over three SQLite databases and the memory bus, then checks it. */
export function runSimulation(options: RunOptions): SimulationRun {
  const chooser = new Chooser(options.schedule ? replaySource(options.schedule) : seededSource(options.seed))
  const sim = new Simulation(chooser)
  const scenario = options.scenario.build(chooser, {essays: options.essays, batches: options.batches})
  const ids = new IdSource(options.seed)
  const trace: TraceEvent[] = []
  const record = (event: TraceEvent): void => {
    trace.push(event)
  }

  const bus = new MemoryBus({defaultPartitions: scenario.partitions})
  const bos = new Bos(ids, options.dbDir)
  const files = new FileService(ids, bos, options.dbDir)
  const els = new Els(options.strategy, ids, scenario.pendingTimeout, options.dbDir)
  try {
    const consumer = new ConsumerProcess(sim, bus, 'els-1', els, scenario.elsHandling, record, () => scheduleExpiry())
    bus.join(ELS_GROUP, consumer.instanceId, ELS_INPUT_TOPICS)
    const relayFor = (service: ServiceName, relay: Relay, consumed: boolean): RelayProcess =>
      new RelayProcess(sim, relay, bus, scenario.relays[service], scenario.kafkaLatency, record, (visibleAt) => {
        if (consumed) consumer.messageAppended(visibleAt)
      })
    const bosRelay = relayFor('bos', new Relay('bos', bos.outbox, ids), true)
    const fileRelay = relayFor('file', new Relay('file', files.outbox, ids), true)
    const elsRelay = relayFor('els', new Relay('els', els.outbox, ids), false)

    // ELS's own events leave through its outbox too: wake its relay after every handled message.
    let expiry: ReturnType<Simulation['at']> | undefined
    function scheduleExpiry(): void {
      elsRelay.rowCommitted()
      const next = els.nextExpiryAt()
      if (next === expiry?.time && !expiry?.cancelled) return
      sim.cancel(expiry)
      expiry = next === undefined ? undefined : sim.at(next, expirePending)
    }
    function expirePending(): void {
      expiry = undefined
      for (const row of els.expire(sim.now)) {
        record({t: sim.now, svc: 'els', ev: 'expired', batch: row.batch_id, kind: row.kind, ref: row.ref})
      }
      scheduleExpiry()
    }

    startClient(sim, scenario, bos, files, record, {
      bosCommitted: () => bosRelay.rowCommitted(),
      fileCommitted: () => fileRelay.rowCommitted(),
    })
    const stoppedBy = sim.run(scenario.pendingTimeout + 3600 * SECOND)

    const observation = observe(sim.now, scenario, bus, bos, files, els)
    const violations = check(observation)
    return {
      trace,
      result: {
        verdict: violations.length === 0 ? 'pass' : 'fail',
        seed: options.seed,
        scenario: scenario.name,
        strategy: options.strategy,
        violations,
        batches: batchCounts(observation),
        simulatedSeconds: (trace.length > 0 ? trace[trace.length - 1].t : 0) / SECOND,
        stoppedBy,
        events: trace.length,
        steps: sim.steps,
        metrics: els.metrics,
        schedule: encodeSchedule(chooser.schedule),
      },
    }
  } finally {
    bos.close()
    files.close()
    els.close()
  }
}

function observe(endedAt: Micros, scenario: Scenario, bus: MemoryBus, bos: Bos, files: FileService, els: Els): Observation {
  const messages: ObservedMessage[] = []
  for (const message of bus.messages()) {
    const parsed = parseEnvelope(message.value)
    if (parsed.ok) {
      messages.push({
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        appendedAt: message.appendedAt,
        envelope: parsed.envelope,
      })
    }
  }
  const unpublished: ObservedOutboxRow[] = []
  for (const [service, outbox] of [
    ['bos', bos.outbox],
    ['file', files.outbox],
    ['els', els.outbox],
  ] as const) {
    for (const row of outbox.leftUnpublished()) {
      unpublished.push({service, rowId: row.id, eventType: row.event_type, aggregateId: row.batch_id})
    }
  }
  return {
    batches: bos.batches(),
    uploads: files.uploads(),
    messages,
    els: {
      trackers: els.trackers(),
      pending: els.pending.all().map((row) => ({batchId: row.batch_id, ref: row.ref, kind: row.kind, storedAt: row.stored_at})),
    },
    unpublished,
    endedAt,
    livenessBound: livenessBound(scenario),
  }
}

/**
 * How long after its last input a complete batch may take to become ready: the slower producing
 * relay's worst wait (publish delay + idle poll) and a full relay batch of broker round trips,
 * then ELS working through every message of the run, plus a second of slack.
 */
export function livenessBound(scenario: Scenario): Micros {
  const kafka = maxOf(scenario.kafkaLatency)
  const relayWorst = (service: ServiceName): Micros => {
    const relay = scenario.relays[service]
    return maxOf(relay.publishDelay) + Math.max(SECOND, relay.pollInterval) + 100 * kafka
  }
  const messages = scenario.batches * (1 + scenario.essays + Math.max(0, scenario.extraFiles))
  return Math.max(relayWorst('bos'), relayWorst('file')) + kafka + messages * (maxOf(scenario.elsHandling) + kafka) + SECOND
}
