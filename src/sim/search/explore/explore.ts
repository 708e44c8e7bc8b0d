import type {ChoiceAbout, ChoiceSource} from '../../kernel/chooser.js'
import {decodeSchedule} from '../../kernel/schedule.js'
import type {Task} from '../../kernel/simulation.js'
import type {Delay} from '../../scenario/delay.js'
import {STRATEGIES} from '../../scenario/strategy.js'
import {runSimulation, type RunOptions, type RunParts, type SimulationRun} from '../../simulated/run-simulation.js'
import {alternativesOf, faultFired} from './explore-choices.js'
import {RunStateHasher} from './run-state-hash.js'
import {inShard, type ExploreShard} from './explore-shard.js'
import {StepIndependence} from './step-independence.js'

/** Faults a run may fire when `--max-faults` is not given: one relay crash, one redelivery. */
export const DEFAULT_MAX_FAULTS = 1

/**
 * Delay sites explore takes at their shortest unless `--vary` names them: the broker's latency and
 * ELS's handling time are millisecond jitter next to the relays', the uploads' and the processing's
 * delays, which decide whether content reaches ELS before its registration.
 */
export const EXPLORE_FIXED_SITES: readonly string[] = ['kafka', 'els']

export interface ExploreOptions {
  /** The run's shape (scenario, strategy, seed, shaping flags, handler); its schedule and chooser are explore's. */
  run: Omit<RunOptions, 'schedule' | 'chooser' | 'explore'>
  /** Stop after this many runs (not exhaustive then). */
  maxRuns?: number
  /** Partial-order reduction by sleep sets (default on). */
  reduction?: boolean
  /**
   * Do not expand a state twice (default on). Off for a user's handler and the test variants: what
   * they keep in process memory is not part of the state explore hashes.
   */
  cache?: boolean
  /** Faults one run may fire (default DEFAULT_MAX_FAULTS). */
  maxFaults?: number
  /** The delay sites explored at both ends (the others at their shortest); default EXPLORE_FIXED_SITES fixed. */
  vary?: (site: string) => boolean
  /** This machine's part of the tree (`--shard K/N`). */
  shard?: ExploreShard
  /** After every run (progress of long work). */
  onRun?: (progress: ExploreCounts) => void
  /** Every run judged to its end (tests compare what the pruned and the plain search reach). */
  onInterleaving?: (run: SimulationRun) => void
}

export interface ExploreCounts {
  /** Runs started (each replays a prefix of recorded choices, then takes first alternatives). */
  runs: number
  /** Runs that ran to their end and were judged: the distinguishable interleavings. */
  interleavings: number
  /** Runs the reduction ended: every step left at that instant was asleep (an order explored already). */
  cutByReduction: number
  /** Alternatives of order choices the reduction never tried (a sleeping step: commutes with what ran). */
  skippedByReduction: number
  /** Runs ended on reaching a state already expanded. */
  cutByCache: number
  /** Distinct states the cache holds. */
  states: number
  /** Runs (or their alternatives) another shard explores. */
  otherShards: number
  /** The most choice points one run made. */
  deepest: number
}

export interface ExploreResult extends ExploreCounts {
  /** The tree was explored to the end (false: --max-runs stopped it, or a counterexample did). */
  exhaustive: boolean
  /** The first run that violated an invariant: the options that replay it exactly (`schedule`). */
  failure?: {options: RunOptions; run: SimulationRun}
}

/** One choice point on the current path: the values to try, which one this path takes, what it is about. */
interface ChoiceNode {
  bound: number
  values: number[]
  /** Per value, its place among the alternatives the reduction left (what the shard split hashes). */
  keys: number[]
  /** More than one alternative before the shard split took its part (a point of the split). */
  branching: boolean
  taken: number
  about: ChoiceAbout | undefined
}

/** A run ended on purpose by explore (it was redundant): not a failure of the run. */
class Cut extends Error {
  constructor(readonly why: 'reduction' | 'cache' | 'shard') {
    super(`explore: run cut (${why})`)
  }
}

/** A step asleep (sleep sets): ready at this instant, but an order with it first was explored already. */
interface Sleeper {
  event: string
  label: string
}

/**
 * Explores every distinguishable interleaving of a small scope depth-first over the choice
 * source (docs/architecture.md#explore). Each run replays the path's recorded alternatives, then
 * takes the first alternative at every new choice point, recording how many each had; the next
 * run backtracks to the deepest point with an untried alternative. Order choices among ready
 * kernel steps are reduced by sleep sets (steps of actors that touch different state commute,
 * step-independence.ts), and a run stops when it reaches a state (run-state-hash.ts) already
 * expanded. The first run that violates an invariant ends the search.
 */
export function explore(options: ExploreOptions): ExploreResult {
  const reduction = options.reduction ?? true
  const cache = (options.cache ?? true) && options.run.handler === undefined && options.run.makeEls === undefined
  const maxFaults = options.maxFaults ?? DEFAULT_MAX_FAULTS
  const vary = options.vary ?? ((site: string) => !EXPLORE_FIXED_SITES.includes(site))
  const routing = STRATEGIES[options.run.strategy].routing
  /** Set once the first run is wired (the broker's shortest latency is the scenario's). */
  let independence: StepIndependence | undefined
  const commute = (a: Sleeper, b: Sleeper): boolean => independence!.commute(a.label, b.label)
  /** State hash → the labels asleep when it was first expanded. */
  const seen = new Map<string, string[]>()
  const counts: ExploreCounts = {runs: 0, interleavings: 0, cutByReduction: 0, skippedByReduction: 0, cutByCache: 0, states: 0, otherShards: 0, deepest: 0}
  const path: ChoiceNode[] = []

  for (;;) {
    if (options.maxRuns !== undefined && counts.runs >= options.maxRuns) return {...counts, states: seen.size, exhaustive: false}
    counts.runs++
    const replayed = path.length
    let depth = 0
    let faults = 0
    let sleep: Sleeper[] = []
    let hasher: RunStateHasher | undefined
    let observed = 0
    /** States are checked against the cache only once they follow this path's new choice (the earlier ones were expanded). */
    let freshAfter = Number.POSITIVE_INFINITY
    /** States are hashed only after a step that made a choice (the others follow from the one before). */
    let hashDue = Number.POSITIVE_INFINITY
    /** Branching choice points so far (the shard split is decided by the first ones). */
    const branches: number[] = []

    const source: ChoiceSource = {
      informed: true,
      next(bound, about) {
        let node = path[depth]
        if (depth >= replayed) {
          let values = alternativesOf(bound, about, maxFaults - faults, vary)
          let keys = values.map((_, i) => i)
          if (reduction && about?.kind === 'order' && about.labels) {
            const asleep = new Set(sleep.map((s) => s.event))
            const alone = independence!.persistent(about.labels)
            const awake = alone !== undefined && !asleep.has(about.events[alone]) ? [alone] : values.filter((i) => !asleep.has(about.events[i]))
            counts.skippedByReduction += values.length - awake.length
            values = awake
            keys = values.map((_, i) => i)
            if (values.length === 0) throw new Cut('reduction')
          }
          const branching = values.length > 1
          if (options.shard && branching && branches.length === options.shard.depth - 1) {
            const shard = options.shard
            const ours = keys.filter((key) => inShard(shard, [...branches, key]))
            counts.otherShards += values.length - ours.length
            values = ours.map((key) => values[key])
            keys = ours
            if (values.length === 0) throw new Cut('shard')
          }
          node = {bound, values, keys, branching, taken: 0, about}
          path.push(node)
        } else if (node.bound !== bound) {
          throw new Error(`explore: choice ${depth + 1} had ${node.bound} options on an earlier run and ${bound} now: the run is not deterministic`)
        }
        const value = node.values[node.taken]
        if (node.branching) branches.push(node.keys[node.taken])
        // A tie's choice is made before its step runs: the state it leads to follows that step.
        const tie = about?.kind === 'order' && about.labels !== undefined ? 1 : 0
        // The path's new choice: what follows it has not been seen on this path.
        if (depth === replayed - 1) freshAfter = observed + tie
        hashDue = Math.min(hashDue, observed + 1 + tie)
        if (reduction && about?.kind === 'order' && about.labels) sleep = childSleep(node, about, sleep, commute)
        if (faultFired(about, value)) faults++
        depth++
        return value
      },
    }
    if (replayed === 0) freshAfter = 0

    const observe = (task: Task): void => {
      observed++
      if (reduction) {
        const me: Sleeper = {event: `step${task.seq}`, label: task.label ?? ''}
        if (sleep.some((s) => s.event === me.event)) throw new Cut('reduction')
        if (sleep.length > 0) sleep = sleep.filter((s) => commute(s, me))
      }
      if (observed < hashDue) return
      hashDue = Number.POSITIVE_INFINITY
      if (cache && observed > freshAfter) {
        const key = hasher!.hash(task)
        const labels = sleep.map((s) => s.label)
        const before = seen.get(key)
        if (before !== undefined && before.every((label) => labels.includes(label))) throw new Cut('cache')
        seen.set(key, before === undefined ? labels : before.filter((label) => labels.includes(label)))
      }
    }

    let run: SimulationRun | undefined
    try {
      run = runSimulation({
        ...options.run,
        explore: {
          source,
          attach: (p: RunParts) => {
            independence ??= new StepIndependence(routing, shortest(p.scenario.kafkaLatency))
            if (cache) hasher = new RunStateHasher(p)
            p.sim.observer = observe
          },
        },
      })
    } catch (error) {
      if (!(error instanceof Cut)) throw error
      if (error.why === 'reduction') counts.cutByReduction++
      else if (error.why === 'cache') counts.cutByCache++
      else counts.otherShards++
    }
    counts.deepest = Math.max(counts.deepest, depth)
    // A path shorter than the shard split: the whole run belongs to one shard.
    const ours = run === undefined || options.shard === undefined || branches.length >= options.shard.depth || inShard(options.shard, branches)
    if (run && ours) {
      counts.interleavings++
      options.onInterleaving?.(run)
      if (run.result.verdict === 'fail') {
        counts.states = seen.size
        options.onRun?.(counts)
        return {...counts, exhaustive: false, failure: {options: {...options.run, schedule: decodeSchedule(run.result.schedule)}, run}}
      }
    } else if (run) {
      counts.otherShards++
    }
    counts.states = seen.size
    options.onRun?.(counts)
    // Backtrack: drop what this run added below the deepest point with an untried alternative.
    path.length = Math.min(path.length, depth)
    while (path.length > 0 && path[path.length - 1].taken + 1 >= path[path.length - 1].values.length) path.pop()
    if (path.length === 0) return {...counts, exhaustive: true}
    path[path.length - 1].taken++
  }
}

function shortest(delay: Delay): number {
  return delay.kind === 'fixed' ? delay.value : delay.kind === 'range' ? delay.min : Math.min(...delay.values)
}

/**
 * The sleep set after taking one option of an order choice (Godefroid's sleep sets): the steps
 * asleep before, and the options this point took on earlier runs, that commute with the one taken
 * now. Asleep, a step is not taken at this instant until a step it does not commute with runs.
 */
function childSleep(node: ChoiceNode, about: Extract<ChoiceAbout, {kind: 'order'}>, sleep: readonly Sleeper[], commute: (a: Sleeper, b: Sleeper) => boolean): Sleeper[] {
  const option = (i: number): Sleeper => ({event: about.events[i], label: about.labels![i]})
  const taken = option(node.values[node.taken])
  const earlier = node.values.slice(0, node.taken).map(option)
  return [...sleep, ...earlier].filter((s) => s.event !== taken.event && commute(s, taken))
}
