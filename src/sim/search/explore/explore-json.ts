import type {InvariantName} from '../../check/invariant.js'
import {commandForOptions} from '../../simulated/reproduce.js'
import {shrinkCounterexample} from '../shrink.js'
import type {ExploreCounts, ExploreResult} from './explore.js'

/** What was explored, as `--json` and racelab merge see it (docs/architecture.md#explore). */
export interface ExploreJson {
  /** The scope: the flags that shape it, exactly as given (shards of one split have the same). */
  scope: ExploreScope
  counts: ExploreCounts
  /** Every interleaving of the scope was explored (false: --max-runs stopped it, or a counterexample did). */
  exhaustive: boolean
  stoppedBy: 'end' | 'max-runs' | 'counterexample'
  verdict: 'pass' | 'fail'
  /** Wall-clock seconds the search took (the command measures it). */
  seconds: number
  counterexample?: ExploreCounterexample
  /** `--shard K/N`: this part of the tree; racelab merge joins the parts. */
  shard?: {index: number; count: number}
}

export interface ExploreScope {
  scenario: string
  strategy: string
  seed: number
  /** The shaping flags (`--essays 3`, `--fault '...'`), as a reproduce line writes them. */
  args: string[]
  maxFaults: number
  vary: string[]
  reduction: boolean
  cache: boolean
  maxRuns?: number
}

export interface ExploreCounterexample {
  invariant: InvariantName
  batch: string
  /** The violation, as the shrunk run reports it. */
  detail: string
  explanation: string
  /** Replays the shrunk interleaving exactly (`racelab run ... --schedule`). */
  reproduce: string
  /** Replays the interleaving as explore found it. */
  found: string
}

/** The report of one search: its counts, and its first counterexample shrunk (src/sim/search/shrink.ts). */
export function exploreJson(result: ExploreResult, scope: ExploreScope, seconds: number): ExploreJson {
  const stoppedBy = result.failure ? 'counterexample' : result.exhaustive ? 'end' : 'max-runs'
  const {exhaustive, failure, ...counts} = result
  const json: ExploreJson = {scope, counts, exhaustive, stoppedBy, verdict: failure ? 'fail' : 'pass', seconds}
  if (failure) {
    const violation = failure.run.result.violations[0]
    const shrunk = shrinkCounterexample(failure.options, violation.invariant)
    const shown = shrunk.run.result.violations.find((v) => v.invariant === violation.invariant) ?? violation
    json.counterexample = {invariant: violation.invariant, batch: shown.batchId, detail: shown.detail, explanation: shrunk.explanation, reproduce: commandForOptions(shrunk.options), found: commandForOptions(failure.options)}
  }
  return json
}
