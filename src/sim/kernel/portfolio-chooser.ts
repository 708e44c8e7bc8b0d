import {seededSource, type ChoiceSource} from './chooser.js'
import {pctSource} from './pct-chooser.js'
import {posSource} from './pos-chooser.js'

/** The chooser the portfolio gives a seed: PCT, POS and uniform random in turn (seed 1 is PCT). */
export function portfolioMember(seed: number): 'pct' | 'pos' | 'random' {
  return (['random', 'pct', 'pos'] as const)[seed % 3]
}

/**
 * A portfolio: each seed runs one of the three choosers, in turn, so a matrix of seeds samples
 * the likely interleavings (random) and the rare ones (PCT's late actors, POS's partial orders).
 */
export function portfolioSource(seed: number, depth: number): ChoiceSource {
  switch (portfolioMember(seed)) {
    case 'pct':
      return pctSource(seed, depth)
    case 'pos':
      return posSource(seed)
    case 'random':
      return seededSource(seed)
  }
}
