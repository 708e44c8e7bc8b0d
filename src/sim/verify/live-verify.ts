import {performance} from 'node:perf_hooks'

import type {InvariantName} from '../check/invariant.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import type {Expectation} from '../scenario/scenario.js'
import type {Strategy} from '../scenario/strategy.js'
import type {CellResult} from './cell-result.js'
import {emptyTally, recordRun} from './cell-tally.js'
import {checkExpectation, type ExpectationCheck} from './expectation-check.js'
import {namedInvariants, totalRuns, type Cell} from './matrix.js'
import {verifyJson, type VerifyCellJson, type VerifyJson} from './verify-json.js'
import type {VerifyOutcome} from './verify-matrix.js'
import {resolveBrokers, runOnKafka} from '../live/run-on-kafka.js'
import type {LiveStop} from '../live/run-live.js'

/** `racelab verify --kafka` without --scenario/--strategy/--seeds: the race and the lost failure, bug and fix, once each. */
export const LIVE_DEFAULT_SCENARIOS: readonly string[] = ['content-first', 'validation-failure']
export const LIVE_DEFAULT_STRATEGIES: readonly Strategy[] = ['naive', 'buffer']
export const LIVE_DEFAULT_SEEDS = 1

/** What `fail-sometimes` means live, where one seed's interleaving is the broker's to decide. */
export const LIVE_FAIL_SOMETIMES_NOTE = 'live, a fail-sometimes cell matches either way: the broker and the timers decide the interleaving, not the seed'

/** One live run of a cell, as it finished. */
export interface LiveCellRun {
  cell: number
  scenario: string
  strategy: Strategy
  seed: number
  verdict: 'pass' | 'fail'
  invariants: InvariantName[]
  elapsedSeconds: number
  stoppedBy: LiveStop
  topicPrefix: string
  /** Runs this seed live again. */
  rerun: string
}

export interface LiveVerifyOutcome extends VerifyOutcome {
  kafka: {brokers: string[]; clusterId: string}
  liveRuns: LiveCellRun[]
  /** Per cell index: the in-memory verify that shrinks its failures (cells with a failing run). */
  shrink: Map<number, string>
  /** Wall-clock seconds for the whole matrix. */
  elapsedSeconds: number
}

export interface LiveVerifyOptions {
  /** The --kafka value: `local` or `host:port[,host:port...]`. */
  kafka: string
  /** Once, when the first run reached the cluster. */
  onStarted?: (started: {brokers: string[]; clusterId: string}) => void
  /** After every run. */
  onRun?: (run: LiveCellRun) => void
  /** `external`: the consumer runs elsewhere; racelab runs the producers and judges its topics. */
  els?: 'external'
  /** With `els: 'external'`: the topics' prefix the consumer reads (default none). */
  topicPrefix?: string
}

/**
 * `racelab verify --kafka`: every cell's seeds run live on the cluster, one run after another (a
 * live run owns the wall clock and a cluster; no worker threads), each through the same
 * `runOnKafka` as `racelab run --kafka` and judged like an in-memory cell (the same tally,
 * expectation check and JUnit/JSON shapes), except that a `fail-sometimes` cell matches either
 * way. Nothing is shrunk live: each cell with a failure names the in-memory verify that shrinks it.
 * Bad input (brokers, a fault or delay live runs cannot do, an unreachable cluster) is an
 * InputError from the first run, before anything ran.
 */
export async function verifyOnKafka(cells: readonly Cell[], options: LiveVerifyOptions): Promise<LiveVerifyOutcome> {
  const started = performance.now()
  let kafka: LiveVerifyOutcome['kafka'] = {brokers: resolveBrokers(options.kafka, 'memory, local or host:port[,host:port...]'), clusterId: ''}
  const liveRuns: LiveCellRun[] = []
  const results: CellResult[] = []
  for (const cell of cells) {
    let tally = emptyTally()
    const reruns = new Map<number, string>()
    for (let seed = cell.seedStart; seed < cell.seedStart + cell.seeds; seed++) {
      const live = await runOnKafka({
        ...cell.shape.options,
        kafka: options.kafka,
        scenario: BUILTIN_SCENARIOS.get(cell.scenario)!,
        strategy: cell.strategy,
        seed,
        shapeArgs: cell.shape.args,
        ...(options.els ? {els: options.els, topicPrefix: options.topicPrefix} : {}),
        onStarted: ({brokers, clusterId}) => {
          if (kafka.clusterId !== '') return
          kafka = {brokers, clusterId}
          options.onStarted?.(kafka)
        },
      })
      const invariants = distinct(live.result.violations.map((v) => v.invariant))
      tally = recordRun(tally, seed, invariants, namedInvariants(cell.expectation))
      reruns.set(seed, live.json.rerun)
      const run: LiveCellRun = {
        cell: cell.index,
        scenario: cell.scenario,
        strategy: cell.strategy,
        seed,
        verdict: live.result.verdict,
        invariants,
        elapsedSeconds: live.result.elapsedSeconds,
        stoppedBy: live.result.stoppedBy,
        topicPrefix: live.result.kafka.topicPrefix,
        rerun: live.json.rerun,
      }
      liveRuns.push(run)
      options.onRun?.(run)
    }
    const check = liveCheck(cell.expectation, checkExpectation(cell.expectation, tally))
    results.push({
      cell,
      tally,
      check,
      reproduce: tally.firstFailure && reruns.get(tally.firstFailure.seed),
      evidenceReproduce: !check.matched && check.evidence ? reruns.get(check.evidence.seed) : undefined,
    })
  }
  // Another team's consumer is not racelab's to shrink.
  const shrinkable = options.els === 'external' ? [] : results.filter((r) => r.tally.firstFailure !== undefined)
  const shrink = new Map(shrinkable.map((r) => [r.cell.index, shrinkCommand(r.cell)]))
  return {
    verdict: results.every((r) => r.check.matched) ? 'pass' : 'fail',
    results,
    counterexamples: [],
    runs: totalRuns(cells),
    workers: 1,
    kafka,
    liveRuns,
    shrink,
    elapsedSeconds: (performance.now() - started) / 1000,
  }
}

/** The in-memory check, except that a live `fail-sometimes` cell matches whatever its seeds did. */
export function liveCheck(expectation: Expectation, check: ExpectationCheck): ExpectationCheck {
  if (expectation.outcome !== 'fail-sometimes') return check
  return {...check, matched: true, actual: `${check.actual} (${LIVE_FAIL_SOMETIMES_NOTE})`, evidence: undefined}
}

/** The in-memory verify of the same cell: it shrinks a counterexample for every failing seed. */
export function shrinkCommand(cell: Cell): string {
  return [
    'racelab verify',
    `--scenario ${cell.scenario}`,
    `--strategy ${cell.strategy}`,
    ...(cell.seedStart === 1 ? [] : [`--seed-start ${cell.seedStart}`]),
    `--seeds ${cell.seeds}`,
    ...cell.shape.args,
  ].join(' ')
}

function distinct(names: readonly InvariantName[]): InvariantName[] {
  return names.filter((name, i) => names.indexOf(name) === i)
}

/** One finished run as the live progress shows it: `content-first × naive, seed 1: FAIL ... (2.2 s live)`. */
export function formatLiveRun(run: LiveCellRun): string {
  const outcome = run.verdict === 'pass' ? 'PASS' : `FAIL ${run.invariants.join(', ')}`
  const stopped = run.stoppedBy === 'quiet' ? '' : `, stopped by ${run.stoppedBy}`
  return `  ${run.scenario} × ${run.strategy}, seed ${run.seed}: ${outcome} (${run.elapsedSeconds.toFixed(1)} s live${stopped}, topics ${run.topicPrefix}*)`
}

/** The lines after the table: what fail-sometimes means live, and how to shrink each failing cell. */
export function liveVerifyNotes(outcome: LiveVerifyOutcome): string[] {
  const lines: string[] = []
  if (outcome.results.some((r) => r.cell.expectation.outcome === 'fail-sometimes')) lines.push(`Note: ${LIVE_FAIL_SOMETIMES_NOTE}.`)
  for (const result of outcome.results) {
    const shrink = outcome.shrink.get(result.cell.index)
    if (shrink === undefined) continue
    lines.push(`${result.cell.scenario} × ${result.cell.strategy}: no shrinking live; shrink with the in-memory bus: ${shrink}`)
  }
  lines.push(`${outcome.runs} live run${outcome.runs === 1 ? '' : 's'} in ${outcome.elapsedSeconds.toFixed(1)} s on ${outcome.kafka.brokers.join(',')}`)
  return lines
}

export type LiveVerifyCellJson = VerifyCellJson & {
  /** The in-memory verify that shrinks the cell's failures (null when it has none). */
  shrink: string | null
  /** Every live run of the cell. */
  liveRuns: Omit<LiveCellRun, 'cell' | 'scenario' | 'strategy'>[]
}

/** verify's `--json` document, with the cluster, every live run and the shrink command per cell. */
export type LiveVerifyJson = Omit<VerifyJson, 'cells'> & {
  kafka: {brokers: string[]; clusterId: string}
  elapsedSeconds: number
  cells: LiveVerifyCellJson[]
}

export function liveVerifyJson(outcome: LiveVerifyOutcome): LiveVerifyJson {
  const json = verifyJson(outcome, () => []) // no counterexamples live: nothing is shrunk
  return {
    ...json,
    kafka: outcome.kafka,
    elapsedSeconds: outcome.elapsedSeconds,
    cells: json.cells.map((cell, i) => ({
      ...cell,
      shrink: outcome.shrink.get(outcome.results[i].cell.index) ?? null,
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      liveRuns: outcome.liveRuns.filter((run) => run.cell === outcome.results[i].cell.index).map(({cell, scenario, strategy, ...run}) => run),
    })),
  }
}
