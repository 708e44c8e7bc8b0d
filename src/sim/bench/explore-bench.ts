import {performance} from 'node:perf_hooks'

import {explore} from '../search/explore/explore.js'
import {estimatePlainRuns} from '../search/explore/plain-estimate.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {parseFaultSpec, type Fault} from '../scenario/fault-spec.js'

/** The scope bench explores (docs/benchmarks.md): 1 batch of N essays, one excess file, a relay crash (a duplicate). */
export const EXPLORE_BENCH = {scenario: 'true-excess', strategy: 'buffer', fault: 'relay-crash-after-publish=file'} as const

/** Random probes for the estimate of plain enumeration. */
const PROBES = 200

export interface ExploreBench {
  scenario: string
  strategy: string
  essays: number
  fault: string
  runs: number
  interleavings: number
  exhaustive: boolean
  seconds: number
  runsPerSecond: number
  interleavingsPerSecond: number
  /** Plain enumeration's runs (no reduction, no cache), estimated by Knuth's estimator over PROBES random paths. */
  plainEstimate: number
  /** plainEstimate over the runs explore made. */
  pruning: number
}

/** Explores the bench scope once, exhaustively, and estimates plain enumeration's runs for the same tree. */
export function benchExplore(essays: number): ExploreBench {
  const parsed = parseFaultSpec(EXPLORE_BENCH.fault)
  const faults: Fault[] = parsed.ok ? [parsed.value] : []
  const run = {scenario: BUILTIN_SCENARIOS.get(EXPLORE_BENCH.scenario)!, strategy: EXPLORE_BENCH.strategy, seed: 1, essays, faults}
  const started = performance.now()
  const result = explore({run})
  const seconds = (performance.now() - started) / 1000
  const plainEstimate = Math.round(estimatePlainRuns({run}, PROBES))
  return {
    ...EXPLORE_BENCH,
    essays,
    runs: result.runs,
    interleavings: result.interleavings,
    exhaustive: result.exhaustive,
    seconds: Math.round(seconds * 100) / 100,
    runsPerSecond: Math.round(result.runs / seconds),
    interleavingsPerSecond: Math.round(result.interleavings / seconds),
    plainEstimate,
    pruning: Math.round((plainEstimate / result.runs) * 10) / 10,
  }
}
