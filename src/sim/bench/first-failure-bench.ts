import {performance} from 'node:perf_hooks'

import type {ChooserSpec} from '../kernel/chooser-spec.js'
import {DEFAULT_PCT_DEPTH} from '../kernel/pct-chooser.js'
import {RARE_RACE, RARE_RACE_DELAYS, rareRaceDelays} from '../search/rare-race.js'
import {compareChoosers, type ChooserSearches} from '../search/runs-to-first-failure.js'

export const BENCH_CHOOSERS: readonly ChooserSpec[] = [
  {name: 'random', depth: DEFAULT_PCT_DEPTH},
  {name: 'pct', depth: DEFAULT_PCT_DEPTH},
  {name: 'pos', depth: DEFAULT_PCT_DEPTH},
  {name: 'portfolio', depth: DEFAULT_PCT_DEPTH},
]

export interface FirstFailureBench {
  scenario: string
  strategy: string
  /** The delays over the scenario that make its harmful order rare (docs/benchmarks.md). */
  delays: readonly string[]
  searches: number
  /** Runs after which a search gives up (its figure is then null: "more than maxRuns"). */
  maxRuns: number
  choosers: ChooserSearches[]
  /** The best median of PCT and POS over uniform random's (random's cap when it found nothing). */
  bestToRandom: number | null
  seconds: number
}

/** Runs to the first failure per chooser on the rare race (search/rare-race.ts): `searches` searches each, median. */
export function benchFirstFailure(searches: number, maxRuns: number): FirstFailureBench {
  const started = performance.now()
  const choosers = compareChoosers({...RARE_RACE, delays: rareRaceDelays(), searches, maxRuns}, BENCH_CHOOSERS)
  const medianOf = (name: string): number | null => choosers.find((c) => c.chooser.startsWith(name))?.median ?? null
  const random = medianOf('random') ?? maxRuns
  const best = Math.min(...['pct', 'pos'].map((name) => medianOf(name) ?? Infinity))
  return {
    ...RARE_RACE,
    delays: RARE_RACE_DELAYS,
    searches,
    maxRuns,
    choosers,
    bestToRandom: Number.isFinite(best) ? Math.round((best / random) * 10_000) / 10_000 : null,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  }
}
