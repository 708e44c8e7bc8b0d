import type {Counterexample} from '../search/counterexample.js'
import type {InvariantName} from '../check/invariant.js'
import {shrinkCounterexample} from '../search/shrink.js'
import {runSimulation} from '../simulated/run-simulation.js'
import type {CellResult} from './cell-result.js'
import {namedInvariants} from './matrix.js'
import {toRunOptions, toRunSpec, type RunSpec} from './run-spec.js'

/** A request to shrink one cell's first failing seed (plain data, it crosses threads). */
export interface ShrinkJob {
  cell: number
  spec: RunSpec
  invariant: InvariantName
}

/** A shrunk counterexample as plain data: the run itself is replayed from `spec.schedule`. */
export interface ShrunkRun {
  cell: number
  invariant: InvariantName
  spec: RunSpec
  explanation: string
  attempts: number
}

/**
 * The cells that get a counterexample: every cell with a failing seed, those whose failures were
 * not expected first, each group in matrix order.
 */
export function counterexampleCells(results: readonly CellResult[]): CellResult[] {
  const failing = results.filter((r) => r.tally.firstFailure !== undefined)
  return [...failing.filter((r) => !r.check.matched), ...failing.filter((r) => r.check.matched)]
}

/**
 * The invariant to shrink for: the first one the expectation names that the seed violated (the
 * failure the scenario is about), else the first it violated.
 */
export function invariantToShrink(result: CellResult): InvariantName {
  const failure = result.tally.firstFailure
  if (!failure) throw new Error(`cell ${result.cell.index} has no failing seed`)
  const named = namedInvariants(result.cell.expectation)
  return named.find((name) => failure.invariants.includes(name)) ?? failure.invariants[0]
}

export function shrinkJob(result: CellResult): ShrinkJob {
  const {cell, tally} = result
  const seed = tally.firstFailure!.seed
  return {
    cell: cell.index,
    spec: {...cell.shape.options, scenario: cell.scenario, strategy: cell.strategy, seed},
    invariant: invariantToShrink(result),
  }
}

export function runShrinkJob(job: ShrinkJob): ShrunkRun {
  const shrunk = shrinkCounterexample(toRunOptions(job.spec), job.invariant)
  return {cell: job.cell, invariant: shrunk.invariant, spec: toRunSpec(shrunk.options), explanation: shrunk.explanation, attempts: shrunk.attempts}
}

/** Rebuilds the full counterexample from its plain form: one replay of the recorded schedule. */
export function replayShrunk(shrunk: ShrunkRun): Counterexample {
  const options = toRunOptions(shrunk.spec)
  return {invariant: shrunk.invariant, options, run: runSimulation(options), explanation: shrunk.explanation, attempts: shrunk.attempts}
}
