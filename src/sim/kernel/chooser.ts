import {InputError} from '../input-error.js'
import {SeededRng} from './rng.js'

/**
 * The one choice point of the simulation. Every nondeterministic decision (which ready step
 * runs next, how long a ranged delay lasts, whether a fault fires) asks the chooser, which
 * records the answer. The recorded answers are the run's schedule: feeding them back through
 * a replay source reproduces the run exactly; a shrinker or a search strategy is just another
 * source.
 */
export interface ChoiceSource {
  /** An integer in [0, bound); `about` says what is chosen, when the source asked to know. */
  next(bound: number, about?: ChoiceAbout): number
  /**
   * The source schedules by what a choice is about (PCT, POS): the choice points then describe
   * their options. Plain sources leave it unset, so a seeded run allocates nothing for it.
   */
  readonly informed?: boolean
}

/**
 * What a choice is about, for the sources that schedule by it (docs/architecture.md#choosers):
 * - order: which of several ready steps or messages goes first; per option, the actor it belongs
 *   to (a partition at ELS's fetch) and the event itself (that message, that step);
 * - delay: how long an actor waits (option 0 is the shortest: a range's values are in order; a
 *   one-of lists its values).
 * - order at a tie of kernel steps also carries each step's label (who runs it, what it does);
 * - chance: a yes/no drawn as `chance(numerator, denominator)` (`fault`: a fault firing, else a
 *   scenario's coin): values from denominator − numerator on are "yes". PCT and POS draw it uniformly, as a plain value.
 * Choices with no `about` (a scenario's own picks) are plain values.
 */
export type ChoiceAbout =
  | {kind: 'order'; actors: readonly string[]; events: readonly string[]; labels?: readonly string[]}
  | {kind: 'delay'; site: string; values?: readonly number[]}
  | {kind: 'chance'; numerator: number; denominator: number; fault: boolean}

export class Chooser {
  /** Every answer given so far, in order: the schedule. */
  readonly schedule: number[] = []

  /**
   * What the source threw (a replayed schedule that does not fit: ScheduleMismatch), kept so the
   * error cannot be lost: every later pick throws it again, and the simulation rethrows it after
   * the step that swallowed it (ELS treats any error in its handler as a failed handling).
   */
  failure: Error | undefined

  /** The source wants to know what each choice is about (see ChoiceSource.informed). */
  readonly informed: boolean

  constructor(private readonly source: ChoiceSource) {
    this.informed = source.informed === true
  }

  /** Index in [0, n). A choice among one option is no choice and is not recorded. */
  pick(n: number, about?: ChoiceAbout): number {
    if (n <= 1) return 0
    if (this.failure) throw this.failure
    let value: number
    try {
      value = this.source.next(n, about)
    } catch (error) {
      this.failure = error as Error
      throw error
    }
    this.schedule.push(value)
    return value
  }

  /** Integer in [min, max], inclusive. */
  between(min: number, max: number, about?: ChoiceAbout): number {
    if (max <= min) return min
    return min + this.pick(max - min + 1, about)
  }

  /**
   * True with probability numerator/denominator. The first option (0, what a lenient replay
   * answers past its end, and what the shrinker flattens choices to) is always "no": a flattened
   * schedule fires no fault.
   */
  chance(numerator: number, denominator: number, fault = false): boolean {
    if (numerator <= 0) return false
    if (numerator >= denominator) return true
    return this.pick(denominator, this.informed ? {kind: 'chance', numerator, denominator, fault} : undefined) >= denominator - numerator
  }

  /** True with the given probability in percent (fractions down to 0.01%): how faults fire. */
  percent(percent: number): boolean {
    return this.chance(Math.round(percent * 100), 10_000, true)
  }
}

/** Draws from a seeded PRNG: the default source. */
export function seededSource(seed: number): ChoiceSource {
  const rng = new SeededRng(seed)
  return {next: (bound) => rng.int(0, bound - 1)}
}

/**
 * A recorded schedule that no longer fits the run replaying it: a value out of range for the
 * choice being made, or the end of the schedule while the run still has choices to make. It is
 * bad input (`--schedule` from another run's flags or another racelab version): one line, exit 2.
 */
export class ScheduleMismatch extends InputError {
  /** 1-based position of the choice that did not fit (the schedule's item number). */
  readonly choice: number

  constructor(choice: number, message: string) {
    super(message)
    this.choice = choice
  }
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
 * Replays a recorded schedule exactly: every answer is the recorded one. Where the schedule does
 * not fit (a value out of range for the choice asked, or no value left) it throws a
 * ScheduleMismatch naming the choice, unless the schedule was made by lenientSchedule.
 */
export function replaySource(schedule: readonly number[]): ChoiceSource {
  if (LENIENT in schedule) return lenientReplaySource(schedule)
  let position = 0
  return {
    next(bound) {
      const choice = position + 1
      if (position >= schedule.length) {
        throw new ScheduleMismatch(choice, `--schedule: ends after ${plural(schedule.length, 'choice')}; the run needed more`)
      }
      const value = schedule[position]
      if (value >= bound) {
        throw new ScheduleMismatch(
          choice,
          `--schedule: choice ${choice} is ${value.toString(36)}, but only ${plural(bound, 'option')} ${bound === 1 ? 'was' : 'were'} open there ` +
            '(the schedule does not fit this run: different flags or racelab version?)',
        )
      }
      position++
      return value
    },
  }
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
