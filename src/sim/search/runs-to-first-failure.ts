import {describeChooser, type ChooserSpec} from '../kernel/chooser-spec.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import type {DelaySetting} from '../scenario/delay-spec.js'
import type {Strategy} from '../scenario/strategy.js'
import {runSimulation} from '../simulated/run-simulation.js'

export interface FirstFailureOptions {
  scenario: string
  strategy: Strategy
  /** --delay settings over the scenario's own timings. */
  delays?: readonly DelaySetting[]
  chooser: ChooserSpec
  /** The first seed of the search: it runs seeds FROM, FROM+1, ... */
  seedFrom: number
  /** Give up after this many runs. */
  maxRuns: number
}

/** How many runs a chooser needs, seed after seed from `seedFrom`, until one fails; undefined: none within maxRuns. */
export function runsToFirstFailure({scenario, strategy, delays, chooser, seedFrom, maxRuns}: FirstFailureOptions): number | undefined {
  const definition = BUILTIN_SCENARIOS.get(scenario)
  if (!definition) throw new Error(`unknown scenario "${scenario}"`)
  for (let run = 1; run <= maxRuns; run++) {
    const {result} = runSimulation({scenario: definition, strategy, delays, chooser, seed: seedFrom + run - 1})
    if (result.verdict === 'fail') return run
  }
  return undefined
}

export interface ChooserSearches {
  chooser: string
  /** Runs to the first failure of each search; null: none within maxRuns. */
  runs: (number | null)[]
  /** The median over the searches; null when more than half found nothing within maxRuns. */
  median: number | null
}

/**
 * `searches` independent searches per chooser (search i from seed 1 + i × maxRuns, so no two
 * share a seed), and the median of their runs to the first failure.
 */
export function compareChoosers(
  base: {scenario: string; strategy: Strategy; delays?: readonly DelaySetting[]; searches: number; maxRuns: number},
  choosers: readonly ChooserSpec[],
): ChooserSearches[] {
  return choosers.map((chooser) => {
    const runs = Array.from({length: base.searches}, (_, i) => runsToFirstFailure({...base, chooser, seedFrom: 1 + i * base.maxRuns}) ?? null)
    return {chooser: describeChooser(chooser), runs, median: median(runs)}
  })
}

/** The middle of the sorted values (the lower middle of an even count), a null counting as more than any number. */
export function median(values: readonly (number | null)[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => (a ?? Infinity) - (b ?? Infinity))
  return sorted[Math.floor((sorted.length - 1) / 2)]
}
