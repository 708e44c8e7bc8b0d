import type {SeededRng} from './rng.js'

/**
 * A random priority in (0, 1) for PCT and POS. Priorities below PRIORITY_LATE make an actor late:
 * its delays take the top of their range (docs/architecture.md#choosers). 2^31 steps make two
 * equal draws as good as impossible; where they happen the first option wins, deterministically.
 */
export function drawPriority(rng: SeededRng): number {
  return (rng.int(0, 0x7fff_fffe) + 1) / 0x8000_0000
}

/**
 * The seed of a priority scheduler's stream, scrambled (murmur3's 32-bit finalizer, a bijection):
 * xoroshiro128+'s first outputs for neighbouring seeds are alike, and a priority is drawn from the
 * first few, so seeds 1, 2, 3 would otherwise rank their actors alike.
 */
export function scrambleSeed(seed: number): number {
  let h = seed >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** An actor (or event) with a priority below this waits as long as a delay allows; above, as short. */
export const PRIORITY_LATE = 0.5

/** The option a priority scheduler takes among the options of a delay: the longest when late. */
export function delayOption(bound: number, values: readonly number[] | undefined, late: boolean): number {
  if (!values) return late ? bound - 1 : 0
  let best = 0
  for (let i = 1; i < values.length; i++) if (late ? values[i] > values[best] : values[i] < values[best]) best = i
  return best
}

/** Index of the highest priority (the first of equals). */
export function highest(priorities: readonly number[]): number {
  let best = 0
  for (let i = 1; i < priorities.length; i++) if (priorities[i] > priorities[best]) best = i
  return best
}
