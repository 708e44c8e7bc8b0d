import {SeededRng} from './rng.js'

/**
 * The one choice point of the simulation. Every nondeterministic decision (which ready step
 * runs next, how long a ranged delay lasts, whether a fault fires) asks the chooser, which
 * records the answer. The recorded answers are the run's schedule: feeding them back through
 * a replay source reproduces the run exactly; a shrinker or a search strategy is just another
 * source.
 */
export interface ChoiceSource {
  /** An integer in [0, bound). */
  next(bound: number): number
}

export class Chooser {
  /** Every answer given so far, in order: the schedule. */
  readonly schedule: number[] = []

  constructor(private readonly source: ChoiceSource) {}

  /** Index in [0, n). A choice among one option is no choice and is not recorded. */
  pick(n: number): number {
    if (n <= 1) return 0
    const value = this.source.next(n)
    this.schedule.push(value)
    return value
  }

  /** Integer in [min, max], inclusive. */
  between(min: number, max: number): number {
    if (max <= min) return min
    return min + this.pick(max - min + 1)
  }

  /**
   * True with probability numerator/denominator. The first option (0, what a lenient replay
   * answers past its end, and what the shrinker flattens choices to) is always "no": a flattened
   * schedule fires no fault.
   */
  chance(numerator: number, denominator: number): boolean {
    if (numerator <= 0) return false
    if (numerator >= denominator) return true
    return this.pick(denominator) >= denominator - numerator
  }

  /** True with the given probability in percent (fractions down to 0.01%). */
  percent(percent: number): boolean {
    return this.chance(Math.round(percent * 100), 10_000)
  }
}

/** Draws from a seeded PRNG: the default source. */
export function seededSource(seed: number): ChoiceSource {
  const rng = new SeededRng(seed)
  return {next: (bound) => rng.int(0, bound - 1)}
}

const LENIENT = Symbol('replay leniently')

/**
 * A copy of `values` that replaySource replays leniently (see lenientReplaySource). Only the
 * shrinker needs this: its candidates replay deliberately cut and edited schedules through
 * runSimulation, which builds its source with replaySource.
 */
export function lenientSchedule(values: readonly number[]): readonly number[] {
  // A hidden mark (not enumerable: equality and JSON see the plain numbers), lost by any copy.
  return Object.freeze(Object.defineProperty([...values], LENIENT, {value: true}))
}

/**
 * Replays a recorded schedule. Past its end (or where a recorded value no longer fits, as
 * happens while shrinking) it answers 0: the first option, the smallest delay, no fault.
 */
export function replaySource(schedule: readonly number[]): ChoiceSource {
  return lenientReplaySource(schedule)
}

/**
 * Replays a schedule leniently, as the shrinker needs. Past its end (or where a recorded value no
 * longer fits) it answers 0: the first option, the smallest delay, no fault.
 */
export function lenientReplaySource(schedule: readonly number[]): ChoiceSource {
  let position = 0
  return {
    next(bound) {
      const value = position < schedule.length ? schedule[position] : 0
      position++
      return value < bound ? value : 0
    },
  }
}

/** Answers 0 to every choice: the first option, the smallest delay, no fault. */
export function firstOptionSource(): ChoiceSource {
  return {next: () => 0}
}
