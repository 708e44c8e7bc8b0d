import {MemoryBus} from '../bus/memory-bus.js'
import {Chooser, replaySource, type ChoiceSource} from '../kernel/chooser.js'
import {chooserSource, describeChooser, type ChooserSpec} from '../kernel/chooser-spec.js'
import {encodeSchedule} from '../kernel/schedule.js'
import {Simulation, type StopReason} from '../kernel/simulation.js'
import {SECOND, type Micros} from '../kernel/time.js'
import type {DeliveryPlan} from '../process/delivery-plan.js'
import {faultDecisions} from '../process/fault-decisions.js'
import type {JudgedRun} from '../process/judged-run.js'
import {wireRun, type MakeConsumer, type WiredRun} from '../process/run-wiring.js'
import {optionalMetrics} from '../services/els-metrics.js'
import type {ElsMetrics} from '../services/els.js'
import {placeInvalidUploads} from '../scenario/invalid-uploads.js'
import {applyOverrides} from '../scenario/overrides.js'
import type {RunShape} from '../scenario/run-shape.js'
import {batchLayouts, type Scenario} from '../scenario/scenario.js'
import {InputError} from '../input-error.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {TraceFold} from '../process/trace-fold.js'
import {loadedHandler} from '../consumer/handler-loader.js'
import {NondeterministicHandler} from '../consumer/nondeterminism-trap.js'
import {handlerReport, type HandlerReport} from './handler-report.js'
import {BrokerAvailability} from './broker-availability.js'
import {kernelClock} from './kernel-clock.js'
import {MemoryMember} from './memory-member.js'
import {MemoryPublisher} from './memory-publisher.js'
import {digitGroups} from '../digit-groups.js'

/** 10,000 batches × 25 essays: 1.6 to 1.7 GiB at its peak, measured (docs/benchmarks.md#one-large-run-judged-in-parts-2026-12-02); more is a typo, not a test. */
export const MAX_FILES_PER_RUN = 250_000

export interface RunOptions extends RunShape {
  /** Replay these choices instead of drawing from the seed. */
  schedule?: readonly number[]
  /** Which chooser draws the choices from the seed (default uniform random). */
  chooser?: ChooserSpec
  /** Force the order in which ELS receives messages (fixtures). */
  plan?: DeliveryPlan
  /** Tests build ELS variants (the post-fix bugs) through this. */
  makeEls?: MakeConsumer
  /** Called with every trace event as it happens (progress of a long run, a trace written as it goes). */
  onTrace?: (event: TraceEvent) => void
  /** Called once when the run is over and its judging starts (a long run's progress line says so). */
  onJudging?: () => void
  /**
   * false: the run keeps no trace (`SimulationRun.trace` is empty): the judge reads what it needs
   * as the events happen (`process/trace-fold.ts`), and `onTrace` sees every event. A large run's
   * trace is a sixth of what grows with it (docs/benchmarks.md#one-large-run-2026-12-01). Default true.
   */
  keepTrace?: boolean
  /** A consumer process's stderr: kept and shown when it fails (the default), or passed through (one run a user watches). */
  handlerStderr?: 'keep' | 'inherit'
  /** A run that keeps no trace is judged this many batches at a time (`check/judge-in-parts.ts`); tests use few. */
  judgeBatchesPerPart?: number
  /** Stop after this many kernel steps (default the kernel's MAX_STEPS); tests keep runs short. */
  maxSteps?: number
  /** explore: the source of every choice (in place of the seed's), and a look at the run's parts before it starts. */
  explore?: {source: ChoiceSource; attach: (parts: RunParts) => void}
  /**
   * A source of choices of the caller's own, in place of the seed's or the schedule's, given the
   * virtual clock (the inevitability curve replays a prefix, then draws, and times each choice).
   */
  source?: (now: () => Micros) => ChoiceSource
}

/** What explore reads of a running simulation (state hashing, the step observer). */
export interface RunParts {
  /** The scenario as run (after overrides). */
  scenario: Scenario
  sim: Simulation
  bus: MemoryBus
  wired: WiredRun
  members: readonly MemoryMember[]
}

export interface RunResult extends JudgedRun {
  /** Virtual time from the start to the last simulated event, in seconds. */
  simulatedSeconds: number
  stoppedBy: StopReason
  events: number
  steps: number
  /** ELS's buffer metrics; absent when the consumer is a user's, whose buffer racelab cannot read. */
  metrics?: ElsMetrics
  /** The recorded choices, encoded (see `schedule.ts`). */
  schedule: string
  /** With a user's handler: its path and the messages it failed on. */
  handler?: HandlerReport
  /** The chooser that drew them: `random`, `pct(d=3)`, `pos`, `portfolio(d=3)`. */
  chooser: string
}

export interface SimulationRun {
  result: RunResult
  trace: TraceEvent[]
  /** The scenario as run, after overrides (fixtures record it). */
  scenario: Scenario
}

/**
 * The simulation shell: runs a scenario once in virtual time over three SQLite databases and the
 * memory bus, then checks it. Time is the kernel's; every choice (which step runs first, how long
 * a delay lasts, whether a fault fires) comes from one chooser, so a seed or a schedule replays.
 */
export function runSimulation(options: RunOptions): SimulationRun {
  let now = (): Micros => 0
  const source = options.explore?.source ?? options.source?.(() => now()) ?? (options.schedule ? replaySource(options.schedule) : chooserSource(options.chooser, options.seed))
  const chooser = new Chooser(source)
  const sim = new Simulation(chooser)
  now = () => sim.now
  const clock = kernelClock(sim)
  const built = options.scenario.build(chooser, {essays: options.essays, batches: options.batches})
  const overridden = applyOverrides(built, options)
  const scenario = options.invalid === undefined ? overridden : placeInvalidUploads(overridden, options.invalid, options.seed)
  const fileCount = batchLayouts(scenario).reduce((sum, batch) => sum + batch.files.length, 0)
  if (fileCount > MAX_FILES_PER_RUN) {
    throw new InputError(
      `--essays × --batches: ${digitGroups(fileCount)} files in one run; a run takes at most ${digitGroups(MAX_FILES_PER_RUN)} (use verify for breadth)`,
    )
  }
  const faults = options.faults ?? []
  const trace: TraceEvent[] = []
  // Only a user's handler's report reads the consumer events whole.
  const fold = new TraceFold({consumerEvents: options.handler !== undefined || options.handlerCmd !== undefined})
  const onTrace = options.onTrace
  const keep = options.keepTrace ?? true
  const record = (event: TraceEvent): void => {
    if (keep) trace.push(event)
    fold.add(event)
    onTrace?.(event)
  }

  const bus = new MemoryBus({defaultPartitions: scenario.partitions})
  const broker = new BrokerAvailability(faults.flatMap((f) => (f.kind === 'broker-unavailable' ? [f] : [])))
  const members: MemoryMember[] = []
  const run = wireRun(
    {scenario, strategy: options.strategy, seed: options.seed, elsInstances: options.elsInstances, dbDir: options.dbDir, makeConsumer: options.makeEls,
      handler: options.handler === undefined ? undefined : loadedHandler(options.handler),
      handlerCmd: options.handlerCmd === undefined ? undefined : {...options.handlerCmd, inheritStderr: options.handlerStderr === 'inherit'},
    },
    {
      clock,
      chooser,
      trace: record,
      faults: faultDecisions(faults, () => chooser),
      publisher: () => new MemoryPublisher({clock, chooser, bus, broker, kafkaLatency: scenario.kafkaLatency}),
      member: (instanceId, topics, loop) => {
        const member = new MemoryMember({
          sim,
          bus,
          instanceId,
          topics,
          broker,
          plan: options.plan,
          loop,
          onRebalance: () => members.forEach((m) => m.kick()),
        })
        members.push(member)
        return member
      },
      onAppended: ({visibleAt}, consumedByEls) => {
        if (consumedByEls) for (const member of members) member.messageAppended(visibleAt)
      },
    },
  )
  options.explore?.attach({scenario, sim, bus, wired: run, members})
  try {
    run.startClient()
    const stoppedBy = runNamingTheRun(() => sim.run(scenario.pendingTimeout + 3600 * SECOND, options.maxSteps), options)
    // An outage nobody ran into leaves no trace; its end is a heal point all the same.
    const healPoints = faults.flatMap((f) => (f.kind === 'broker-unavailable' && f.from < sim.now ? [f.to] : []))
    options.onJudging?.()
    return {
      trace,
      scenario,
      result: {
        // A run that keeps no trace is the large one: the broker's log goes to the judge message by message.
        ...run.judge({endedAt: sim.now, stoppedBy, messages: keep ? bus.messages() : bus.handOver(), trace: fold, healPoints, batchesPerPart: options.judgeBatchesPerPart}),
        simulatedSeconds: fold.lastAt / SECOND,
        stoppedBy,
        events: fold.events,
        steps: sim.steps,
        ...optionalMetrics(run.metrics()),
        schedule: encodeSchedule(chooser.schedule),
        ...(options.handler === undefined ? {} : {handler: handlerReport(options.handler, fold.consumerEvents)}),
        ...(options.handlerCmd === undefined ? {} : {handler: handlerReport(options.handlerCmd.command, fold.consumerEvents, 'command')}),
        chooser: describeChooser(options.chooser),
      },
    }
  } finally {
    run.close()
  }
}

/** A handler that broke its contract stops the run: the error names the run, so verify's report points at the seed. */
function runNamingTheRun(work: () => StopReason, options: RunOptions): StopReason {
  try {
    return work()
  } catch (error) {
    if (error instanceof NondeterministicHandler) {
      const run = `scenario ${options.scenario.name}, strategy ${options.strategy}, seed ${options.seed}`
      throw new NondeterministicHandler(error.message.replace(/^handler is nondeterministic: /, `handler is nondeterministic (${run}): `))
    }
    throw error
  }
}
