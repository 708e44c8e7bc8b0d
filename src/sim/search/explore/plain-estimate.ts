import type {ChoiceSource} from '../../kernel/chooser.js'
import {SeededRng} from '../../kernel/rng.js'
import {runSimulation} from '../../simulated/run-simulation.js'
import {alternativesOf, faultFired} from './explore-choices.js'
import {EXPLORE_FIXED_SITES, DEFAULT_MAX_FAULTS, type ExploreOptions} from './explore.js'

/**
 * How many runs plain enumeration (no reduction, no cache) would make, where making them all takes
 * too long: Knuth's estimator (Knuth 1975, "Estimating the efficiency of backtrack programs"). Each
 * probe is one run down a random path of the same tree explore walks, taking a uniformly drawn
 * alternative at every choice point; the product of the numbers of alternatives along it is an
 * unbiased estimate of the number of leaves. The mean over the probes is the estimate.
 */
export function estimatePlainRuns(options: Pick<ExploreOptions, 'run' | 'maxFaults' | 'vary'>, probes: number, seed = 1): number {
  const vary = options.vary ?? ((site: string) => !EXPLORE_FIXED_SITES.includes(site))
  const maxFaults = options.maxFaults ?? DEFAULT_MAX_FAULTS
  let sum = 0
  for (let probe = 0; probe < probes; probe++) {
    const rng = new SeededRng(seed + probe)
    let product = 1
    let faults = 0
    const source: ChoiceSource = {
      informed: true,
      next(bound, about) {
        const values = alternativesOf(bound, about, maxFaults - faults, vary)
        product *= values.length
        const value = values[rng.int(0, values.length - 1)]
        if (faultFired(about, value)) faults++
        return value
      },
    }
    runSimulation({...options.run, explore: {source, attach: () => {}}})
    sum += product
  }
  return sum / probes
}
