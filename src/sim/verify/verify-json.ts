import type {Counterexample} from '../search/counterexample.js'
import type {InvariantName} from '../check/invariant.js'
import {describeChooser} from '../kernel/chooser-spec.js'
import {encodeSchedule} from '../kernel/schedule.js'
import {formatDelay} from '../scenario/delay-spec.js'
import {formatFault} from '../scenario/fault-spec.js'
import type {Strategy} from '../scenario/strategy.js'
import {commandForOptions} from '../simulated/reproduce.js'
import type {CellResult} from './cell-result.js'
import type {ShardJson} from './shard.js'
import {outcomeChooser, type VerifyOutcome} from './verify-matrix.js'

export interface CounterexampleJson {
  invariant: InvariantName
  /** The shrunk run's options; `replay` runs exactly it. */
  options: {
    scenario: string
    strategy: Strategy
    seed: number
    essays: number | null
    batches: number | null
    elsInstances: number
    delays: string[]
    faults: string[]
    wakes: string[]
    schedule: string
    /** The user's handler the run used (`--handler`), or null. */
    handler: string | null
    /** The user's consumer process the run used (`--handler-cmd`), or null. */
    handlerCmd: string | null
    /** The chooser of the run the counterexample was shrunk from (`random`, `pct(d=3)`, ...). */
    chooser: string
  }
  replay: string
  explanation: string
  attempts: number
  /** The swimlane as printed, one text line per row. */
  swimlane: string[]
}

export interface VerifyCellJson {
  scenario: string
  strategy: Strategy
  /** The matrix block, when the matrix has named blocks (`--ci`). */
  label: string | null
  /** The shaping flags every run of the cell had. */
  shape: readonly string[]
  seeds: {start: number; count: number}
  /** `because`: why, when the expectation was declared for the cell's shape or with --expect. */
  expectation: {outcome: 'pass' | 'fail' | 'fail-sometimes'; invariants: readonly InvariantName[]; because?: string}
  runs: number
  failures: number
  /** Failing seeds per violated invariant. */
  invariants: Partial<Record<InvariantName, number>>
  firstFailingSeed: number | null
  /** Reproduces the first failing seed. */
  reproduce: string | null
  matched: boolean
  expected: string
  actual: string
  /** The seed that shows a mismatch, and the command that reproduces it (unmatched cells). */
  mismatch: {seed: number | null; reproduce: string | null} | null
  counterexample: CounterexampleJson | null
}

export interface VerifyJson {
  verdict: 'pass' | 'fail'
  /** The chooser every run drew its choices with: `random`, `pct(d=3)`, `pos`, `portfolio(d=3)`. */
  chooser: string
  runs: number
  matched: number
  unmatched: number
  /** The user's handler every cell ran (`--handler`), or null. */
  handler: string | null
  /** The user's consumer process every cell ran (`--handler-cmd`), or null. */
  handlerCmd: string | null
  cells: VerifyCellJson[]
  /** With --shard K/N: the part this run covered, for racelab merge. */
  shard?: ShardJson
}

/** The `--json` document; `swimlane` renders a counterexample's swimlane as text lines. */
export function verifyJson(outcome: VerifyOutcome, swimlane: (counterexample: Counterexample) => string[]): VerifyJson {
  const byCell = new Map(outcome.counterexamples.map((c) => [c.result.cell.index, c.counterexample]))
  const cells = outcome.results.map((result) => cellJson(result, byCell.get(result.cell.index), swimlane))
  const matched = cells.filter((c) => c.matched).length
  return {verdict: outcome.verdict, chooser: outcomeChooser(outcome), runs: outcome.runs, matched, unmatched: cells.length - matched, handler: outcome.handler ?? null, handlerCmd: outcome.handlerCmd ?? null, cells}
}

function cellJson(result: CellResult, counterexample: Counterexample | undefined, swimlane: (c: Counterexample) => string[]): VerifyCellJson {
  const {cell, tally, check} = result
  return {
    scenario: cell.scenario,
    strategy: cell.strategy,
    label: cell.label ?? null,
    shape: cell.shape.args,
    seeds: {start: cell.seedStart, count: cell.seeds},
    expectation: {
      outcome: cell.expectation.outcome,
      invariants: cell.expectation.outcome === 'pass' ? [] : cell.expectation.invariants,
      ...(cell.expectation.because === undefined ? {} : {because: cell.expectation.because}),
    },
    runs: tally.runs,
    failures: tally.failures,
    invariants: tally.invariants,
    firstFailingSeed: tally.firstFailure?.seed ?? null,
    reproduce: result.reproduce ?? null,
    matched: check.matched,
    expected: check.expected,
    actual: check.actual,
    mismatch: check.matched ? null : {seed: check.evidence?.seed ?? null, reproduce: result.evidenceReproduce ?? null},
    counterexample: counterexample ? counterexampleJson(counterexample, swimlane(counterexample)) : null,
  }
}

export function counterexampleJson(counterexample: Counterexample, swimlane: string[]): CounterexampleJson {
  const {options} = counterexample
  return {
    invariant: counterexample.invariant,
    options: {
      scenario: options.scenario.name,
      strategy: options.strategy,
      seed: options.seed,
      essays: options.essays ?? null,
      batches: options.batches ?? null,
      elsInstances: options.elsInstances ?? 1,
      delays: (options.delays ?? []).map((d) => `${d.target}=${formatDelay(d.delay)}`),
      faults: (options.faults ?? []).map(formatFault),
      wakes: (options.wakes ?? []).map((w) => `${w.service}=${w.wake ? 'on' : 'off'}`),
      schedule: encodeSchedule(options.schedule ?? []),
      handler: options.handler ?? null,
      handlerCmd: options.handlerCmd?.command ?? null,
      chooser: describeChooser(options.chooser),
    },
    replay: commandForOptions(options),
    explanation: counterexample.explanation,
    attempts: counterexample.attempts,
    swimlane,
  }
}
