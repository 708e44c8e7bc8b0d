import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type Database from 'better-sqlite3'

import type {BusMessage} from '../bus/bus.js'
import {HandedOverLog} from '../bus/handed-over-log.js'
import {judge} from '../check/checker.js'
import {judgeInParts} from '../check/judge-in-parts.js'
import {livenessModel} from './liveness-bound.js'
import {TraceFold, type FoldedMetricEvent} from './trace-fold.js'
import type {MetricEvent, ObservedMetrics} from '../check/observation.js'
import {observe} from '../check/observe.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC} from '../domain/topics.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Micros} from '../kernel/time.js'
import {Bos} from '../services/bos.js'
import {Els, type ElsMetrics} from '../services/els.js'
import {sumMetrics} from '../services/els-metrics.js'
import {FileService} from '../services/file-service.js'
import {CoordinatedRelay, Relay} from '../services/relay.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {maxOf} from '../scenario/delay.js'
import {runParameters} from '../scenario/run-parameters.js'
import type {Scenario} from '../scenario/scenario.js'
import {STRATEGIES, type Strategy} from '../scenario/strategy.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {startClient} from './client.js'
import {CommitBoundaries} from './commit-boundaries.js'
import type {Clock} from './clock.js'
import type {ConsumerLoop, ConsumerLoopOptions, GroupMember} from './consumer-loop.js'
import {wireEls} from './els-wiring.js'
import type {InputConsumer} from '../consumer/input-consumer.js'
import type {LoadedHandler} from '../consumer/handler-consumer.js'
import {HANDLER_DB_SCHEMA, openHandlerDb} from '../consumer/handler-db.js'
import type {HandlerCommand} from '../consumer/handler-command.js'
import {ProcessConsumer, type SharedTimer} from '../consumer/process-consumer.js'
import type {FaultDecisions} from './fault-decisions.js'
import type {JudgedRun} from './judged-run.js'
import {RelayLoop, type Appended, type RelayPublisher} from './relay-loop.js'

export type {MakeConsumer} from './els-wiring.js'
import type {MakeConsumer} from './els-wiring.js'

/** What a shell brings to a run: its clock, its bus's two sides, and where fault answers come from. */
export interface Shell {
  clock: Clock
  chooser: Chooser
  faults: FaultDecisions
  /** A new publisher for one relay on this shell's bus. */
  publisher: () => RelayPublisher
  /** A new group membership for one ELS instance; `loop` is the loop it will feed. */
  member: (instanceId: string, topics: readonly string[], loop: () => ConsumerLoop) => GroupMember
  trace: (event: TraceEvent) => void
  /** A record became visible (`consumedByEls`: on one of ELS's input topics). */
  onAppended?: (appended: Appended, consumedByEls: boolean) => void
  /** Extra hooks on an ELS instance's loop (live: progress and downtime). */
  consumerHooks?: (instanceId: string) => Pick<ConsumerLoopOptions, 'onSettled' | 'onDown' | 'onRejoined'>
  /** Relays mark a send's rows in one transaction of their database (live sends many rows at once). */
  relayTransactions?: boolean
}

export interface WireOptions {
  scenario: Scenario
  strategy: Strategy
  seed: number
  elsInstances?: number
  dbDir?: string
  makeConsumer?: MakeConsumer
  /** A user's ELS handler (docs/handlers.md), in place of the strategy's ELS: one per instance, over its own schema. */
  handler?: LoadedHandler
  /** `external`: ELS runs elsewhere and is judged from its topics (docs/black-box.md); no ELS here. */
  els?: 'external'
  /** Prepended to every batch id (a black-box run's batches must not meet another run's). */
  batchPrefix?: string
  /** Seeds the event ids in place of `seed` (a black-box run's ids must not meet another run's, which a consumer dedupes by). */
  idSeed?: number
  /**
   * A user's consumer process (`--handler-cmd`, docs/handler-protocol.md), in place of the
   * strategy's ELS: one child process per instance, over one database file of its own.
   */
  handlerCmd?: HandlerCommand & {inheritStderr?: boolean}
}

/** A wired run: every part, the client not started yet. */
export interface WiredRun {
  bos: Bos
  files: FileService
  /** ELS's database; absent when ELS runs elsewhere (`els: 'external'`). */
  elsDb: Database.Database | undefined
  /** The ELS instances (one per consumer loop); the first drives the expiry timer. */
  instances: (InputConsumer & Partial<Els>)[]
  loops: ConsumerLoop[]
  /** Each relay once (the coordinated relay serves both producers). */
  relays: RelayLoop[]
  /** ELS's input topics under this strategy. */
  elsTopics: readonly string[]
  /** Starts the client; `done` once every file was committed or refused. */
  startClient(done?: () => void): void
  /**
   * Observes what the bus carried and the databases hold, and judges it. `stoppedBy`: how the
   * shell ended the run ('quiet', or the limit that cut it off); `healPoints`: ends of fault
   * windows the trace may not show; `slack`: what a live shell adds to the liveness bound.
   */
  judge(input: {
    endedAt: Micros
    stoppedBy: string
    /** What the bus carried; a run that keeps no trace hands its log over (`bus/handed-over-log.ts`). */
    messages: readonly BusMessage[] | HandedOverLog
    /** The run's trace, or what the judge reads of it, folded as it happened (`trace-fold.ts`). */
    trace: readonly TraceEvent[] | TraceFold
    healPoints?: readonly Micros[]
    slack?: Micros
    /** A handed-over log's batches are judged this many at a time (default `BATCHES_PER_PART`; tests use fewer). */
    batchesPerPart?: number
  }): JudgedRun
  /** ELS's buffer metrics, summed over its instances; undefined for a consumer that keeps none racelab can read (a user's). */
  metrics(): ElsMetrics | undefined
  close(): void
}

/**
 * The wiring of a run, once for both shells: the services over their SQLite databases, the ELS
 * instances with their consumer loops, the relay topology the strategy asks for, ELS's expiry
 * timer, the client, and the verdict at the end. A shell only brings time, the bus and the answers
 * to fault questions, then decides when the run is over.
 */
export function wireRun(options: WireOptions, shell: Shell): WiredRun {
  const {scenario} = options
  const {clock, chooser, trace} = shell
  const plan = STRATEGIES[options.strategy]
  const ids = new IdSource(options.idSeed ?? options.seed)
  const bos = new Bos(ids, options.dbDir, plan.routing)
  const files = new FileService(ids, bos, options.dbDir, plan.routing)
  // `--els external`: ELS runs elsewhere (docs/black-box.md); racelab runs only the producers.
  // A consumer process keeps its own tables in its own file; racelab's outbox and dead letters stay in ELS's database.
  const external = options.els === 'external'
  const elsDb = external
    ? undefined
    : options.handler
      ? openHandlerDb(options.handler, options.dbDir)
      : options.handlerCmd
        ? openServiceDb('els', HANDLER_DB_SCHEMA, options.dbDir)
        : Els.openDb(options.dbDir)
  const processDir = options.handlerCmd && !external ? mkdtempSync(join(tmpdir(), 'racelab-els-')) : undefined
  const processTimer: SharedTimer = {at: undefined}
  // Before any consumer makes its transactions: the crash fault may fall between any two of them.
  const commits = elsDb && CommitBoundaries.of(elsDb)
  const elsTopics = plan.routing === 'shared-topic' ? [...ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC] : ELS_INPUT_TOPICS
  const inputTopics = new Set<string>(elsTopics)

  const instanceCount = options.elsInstances ?? 1
  const handlerCmd = options.handlerCmd
  const els = external
    ? undefined
    : wireEls({
        makeInstance:
          handlerCmd && processDir
            ? (instanceId) =>
                new ProcessConsumer(
                  handlerCmd,
                  ids,
                  {instance: instanceId, pendingTimeout: scenario.pendingTimeout, topics: elsTopics, dbPath: join(processDir, 'els.sqlite'), inheritStderr: handlerCmd.inheritStderr},
                  elsDb!,
                  processTimer,
                )
            : undefined,
        clock,
        chooser,
        trace,
        ids,
        elsDb: elsDb!,
        commits,
        strategy: plan.els,
        makeConsumer: options.makeConsumer,
        handler: options.handler,
        instances: instanceCount,
        pendingTimeout: scenario.pendingTimeout,
        handling: scenario.elsHandling,
        faults: shell.faults,
        topics: elsTopics,
        member: shell.member,
        consumerHooks: shell.consumerHooks,
      })
  const instances = els?.instances ?? []
  const loops = els?.loops ?? []
  const primary = instances[0] as (typeof instances)[number] | undefined

  // One process does both relays' work: it lags like the slower of the two, and the skew between
  // them is gone (which is why coordination closes the race for one partition).
  const slowest = [scenario.relays.bos.publishDelay, scenario.relays.file.publishDelay].reduce((a, b) => (maxOf(b) > maxOf(a) ? b : a))
  // racelab's own services notify their relay after every write (the client's hooks, ELS's
  // afterElsWrite); a user's consumer or a test's ELS variant may write its outbox unseen.
  const ownEls = !options.handler && !options.handlerCmd && !options.makeConsumer
  const relayLoop = (relay: Relay | CoordinatedRelay, db?: Database.Database, writesNotified = true): RelayLoop =>
    new RelayLoop({
      clock,
      chooser,
      relay,
      publisher: shell.publisher(),
      settings: (source) => (relay instanceof CoordinatedRelay ? {...scenario.relays[source], publishDelay: slowest} : scenario.relays[source]),
      crashAfterPublish: shell.faults.relayCrash,
      // The coordinated relay is the one relay process of both producers: either name stops it.
      crash:
        relay instanceof CoordinatedRelay
          ? () => shell.faults.crash('bos-relay') || shell.faults.crash('file-relay')
          : () => shell.faults.crash(`${relay.service}-relay`),
      publishError: shell.faults.publishError,
      writesNotified,
      // The coordinated relay spans two databases: each row is marked on its own.
      transaction: shell.relayTransactions && db ? (work) => db.transaction(work)() : undefined,
      trace,
      onAppended: (appended) => shell.onAppended?.(appended, inputTopics.has(appended.record.topic)),
    })
  const bosRelay = new Relay('bos', bos.outbox, ids)
  const fileRelay = new Relay('file', files.outbox, ids)
  const coordinated = plan.relays === 'coordinated' ? relayLoop(new CoordinatedRelay([bosRelay, fileRelay])) : undefined
  const producers = coordinated ? {bos: coordinated, file: coordinated} : {bos: relayLoop(bosRelay, bos.db), file: relayLoop(fileRelay, files.db)}
  const elsRelay = els?.attachRelay((relay) => relayLoop(relay, elsDb, ownEls))

  els?.start()

  return {
    bos,
    files,
    elsDb,
    instances,
    loops,
    relays: [...new Set([producers.bos, producers.file, ...(elsRelay ? [elsRelay] : [])])],
    elsTopics,
    startClient: (done) =>
      startClient({
        clock,
        chooser,
        scenario,
        bos,
        files,
        trace,
        crash: (service) => shell.faults.crash(service),
        batchPrefix: options.batchPrefix,
        hooks: {bosCommitted: () => producers.bos.rowCommitted('bos'), fileCommitted: () => producers.file.rowCommitted('file'), done},
      }),
    judge: ({endedAt, stoppedBy, messages, trace, healPoints, slack, batchesPerPart}) => {
      const events = trace instanceof TraceFold ? trace : TraceFold.of(trace)
      const handedOver = messages instanceof HandedOverLog ? messages : undefined
      const inputMessages = messages instanceof HandedOverLog ? messages.count((m) => inputTopics.has(m.topic)) : countWhere(messages, (m) => inputTopics.has(m.topic))
      const observed = observe({
        endedAt,
        unsettled: stoppedBy === 'quiet' ? undefined : stoppedBy,
        liveness: livenessModel({
          scenario,
          coordinated: coordinated !== undefined,
          trace: events,
          inputMessages,
          elsInstances: instanceCount,
          healPoints,
          slack,
        }),
        // A handed-over log is the large run's: judged in parts, never parsed whole at once.
        messages: messages instanceof HandedOverLog ? [] : messages,
        bos,
        files,
        els: primary,
        metrics: observedMetrics(instances, events.metricEvents),
      })
      return {
        ...(handedOver ? judgeInParts(observed, handedOver, batchesPerPart) : judge(observed)),
        seed: options.seed,
        scenario: scenario.name,
        strategy: options.strategy,
        parameters: runParameters(scenario),
      }
    },
    metrics: () => reportedMetrics(instances),
    close: () => {
      for (const instance of instances) if (instance instanceof ProcessConsumer) instance.close()
      if (processDir) rmSync(processDir, {recursive: true, force: true})
      bos.close()
      files.close()
      if (elsDb) closeServiceDb(elsDb)
    },
  }
}

/**
 * The buffer metrics the instances report, summed; undefined unless every instance keeps them: a
 * user's consumer keeps its buffer to itself, and no figures beat zeros that look measured.
 */
function reportedMetrics(instances: readonly (InputConsumer & Partial<Els>)[]): ElsMetrics | undefined {
  const all = instances.map((i) => i.metrics)
  return all.length > 0 && all.every((m) => m !== undefined) ? sumMetrics(all) : undefined
}

/**
 * The metrics the instances report, with the trace events that should have moved them (absent
 * when the consumer keeps no metrics). The expiry timer runs on the first instance.
 */
function observedMetrics(instances: readonly (InputConsumer & Partial<Els>)[], folded: readonly FoldedMetricEvent[]): ObservedMetrics | undefined {
  const reported = reportedMetrics(instances)
  if (reported === undefined) return undefined
  const {pendingStored, reconciled, expired, deadLettered} = reported
  const index = new Map(instances.map((_, i) => [instances.length === 1 ? 'els' : `els-${i + 1}`, i]))
  const events: MetricEvent[] = []
  // Each folded event converted once: the fold shares one among the handlings that read alike
  // (TraceFold#handledEvent), and so, then, does this.
  const converted = new Map<FoldedMetricEvent, MetricEvent>()
  for (const event of folded) {
    if (event.kind === 'expired') {
      events.push({instance: 0, kind: 'expired'})
      continue
    }
    const instance = index.get(event.svc)
    if (instance === undefined) continue
    if (event.kind === 'reset') events.push({instance, kind: 'reset'})
    else {
      let handled = converted.get(event)
      if (handled === undefined) converted.set(event, (handled = {instance, kind: 'handled', outcome: event.outcome, drained: event.drained, emitted: [...event.emitted]}))
      events.push(handled)
    }
  }
  return {reported: {pendingStored, reconciled: {...reconciled}, expired, deadLettered}, events}
}

/** How many of `items` match, without building the filtered copy (a large run's messages are many). */
function countWhere<T>(items: readonly T[], matches: (item: T) => boolean): number {
  let count = 0
  for (const item of items) if (matches(item)) count++
  return count
}
