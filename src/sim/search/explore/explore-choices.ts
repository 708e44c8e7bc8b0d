import type {ChoiceAbout} from '../../kernel/chooser.js'

/** A choice among more values than this, with nothing said about it, is explored at its two ends. */
export const MAX_PLAIN_ALTERNATIVES = 16

/**
 * The values explore tries at one choice point (docs/architecture.md#explore), in the order it
 * tries them; the first is what the seeded runs' shrinker calls the simplest.
 * - order (ready kernel steps, or the partition heads ELS may fetch): every option;
 * - delay: a range at its two ends (shortest, longest), a one-of at each distinct value;
 * - chance: yes or no; a fault only while the run has faults left to fire (`faultsLeft`);
 * - a plain value (a scenario's own draw): every value up to MAX_PLAIN_ALTERNATIVES, else both ends.
 */
export function alternativesOf(bound: number, about: ChoiceAbout | undefined, faultsLeft: number, vary: (site: string) => boolean): number[] {
  if (about === undefined) return bound <= MAX_PLAIN_ALTERNATIVES ? range(bound) : [0, bound - 1]
  switch (about.kind) {
    case 'order':
      return range(bound)
    case 'delay': {
      if (!vary(about.site)) return [0]
      if (about.values === undefined) return [0, bound - 1]
      const seen = new Set<number>()
      return range(bound).filter((i) => !seen.has(about.values![i]) && seen.add(about.values![i]) !== undefined)
    }
    case 'chance':
      return !about.fault || faultsLeft > 0 ? [0, about.denominator - 1] : [0]
  }
}

/** Whether `value` fires the fault `about` asks (chooser.ts: yes from denominator − numerator on). */
export function faultFired(about: ChoiceAbout | undefined, value: number): boolean {
  return about?.kind === 'chance' && about.fault && value >= about.denominator - about.numerator
}

function range(n: number): number[] {
  return Array.from({length: n}, (_, i) => i)
}
