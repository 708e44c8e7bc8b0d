import {describe, expect, it} from 'vitest'

import {
  Chooser,
  firstOptionSource,
  lenientReplaySource,
  lenientSchedule,
  replaySource,
  ScheduleMismatch,
  seededSource,
  type ChoiceSource,
} from '../../../src/sim/kernel/chooser.js'
import {InputError} from '../../../src/sim/input-error.js'

/** A source that records the bounds it was asked with and answers from a list. */
function scriptedSource(answers: number[]): ChoiceSource & {bounds: number[]} {
  const bounds: number[] = []
  let i = 0
  return {
    bounds,
    next(bound) {
      bounds.push(bound)
      return answers[i++] ?? 0
    },
  }
}

function draws(source: ChoiceSource, bounds: number[]): number[] {
  return bounds.map((bound) => source.next(bound))
}

const BOUNDS = Array.from({length: 200}, (_, i) => 2 + (i % 17))

describe('Chooser.pick', () => {
  it('records a choice only when there is more than one option', () => {
    // Given a chooser over a scripted source
    const source = scriptedSource([1, 2])
    const chooser = new Chooser(source)

    // When picking among 1, 0, 2, 3 options
    const picks = [chooser.pick(1), chooser.pick(0), chooser.pick(2), chooser.pick(3)]

    // Then only the n>1 picks asked the source and were recorded
    expect(picks).toEqual([0, 0, 1, 2])
    expect(source.bounds).toEqual([2, 3])
    expect(chooser.schedule).toEqual([1, 2])
  })
})

describe('Chooser.between', () => {
  it('stays within [min, max] inclusive for seeded draws', () => {
    // Given a seeded chooser
    const chooser = new Chooser(seededSource(11))

    // When drawing many values in [5, 9]
    const values = Array.from({length: 500}, () => chooser.between(5, 9))

    // Then every value is in bounds and both ends are reached
    expect(Math.min(...values)).toBe(5)
    expect(Math.max(...values)).toBe(9)
    expect(values.every((v) => Number.isInteger(v))).toBe(true)
  })

  it('asks the source for max - min + 1 options and offsets by min', () => {
    // Given a scripted source answering 3
    const source = scriptedSource([3])
    const chooser = new Chooser(source)

    // When
    const value = chooser.between(10, 14)

    // Then
    expect(source.bounds).toEqual([5])
    expect(value).toBe(13)
  })

  it('returns min without a choice when the range is empty or a single value', () => {
    // Given a scripted source
    const source = scriptedSource([1, 1])
    const chooser = new Chooser(source)

    // When
    const single = chooser.between(7, 7)
    const inverted = chooser.between(9, 3)

    // Then
    expect(single).toBe(7)
    expect(inverted).toBe(9)
    expect(source.bounds).toEqual([])
    expect(chooser.schedule).toEqual([])
  })
})

describe('Chooser.chance', () => {
  it('is false for numerator <= 0 and true for numerator >= denominator, without a choice', () => {
    // Given
    const chooser = new Chooser(scriptedSource([0, 0, 0]))

    // When
    const results = [chooser.chance(0, 2), chooser.chance(-1, 2), chooser.chance(2, 2), chooser.chance(3, 2)]

    // Then
    expect(results).toEqual([false, false, true, true])
    expect(chooser.schedule).toEqual([])
  })

  it('is true exactly for the top `numerator` picks, so the first option (0) is always no', () => {
    // Given a chooser replaying picks 0, 1, 2, 3 out of 4
    const chooser = new Chooser(replaySource([0, 1, 2, 3]))

    // When asking chance(2, 4) four times
    const results = [0, 1, 2, 3].map(() => chooser.chance(2, 4))

    // Then
    expect(results).toEqual([false, false, true, true])
    expect(chooser.schedule).toEqual([0, 1, 2, 3])
  })

  it('yields both outcomes under a seeded source', () => {
    // Given
    const chooser = new Chooser(seededSource(5))

    // When
    const results = Array.from({length: 200}, () => chooser.chance(1, 2))

    // Then
    expect(results).toContain(true)
    expect(results).toContain(false)
  })
})

describe('seededSource', () => {
  it('answers in [0, bound)', () => {
    // Given
    const source = seededSource(3)

    // When
    const values = BOUNDS.map((bound) => [bound, source.next(bound)] as const)

    // Then
    for (const [bound, value] of values) {
      expect(value).toBeGreaterThanOrEqual(0)
      expect(value).toBeLessThan(bound)
      expect(Number.isInteger(value)).toBe(true)
    }
  })

  it('is deterministic per seed', () => {
    // Given two sources with the same seed
    // When
    const a = draws(seededSource(1234), BOUNDS)
    const b = draws(seededSource(1234), BOUNDS)

    // Then
    expect(a).toEqual(b)
  })

  it('differs across seeds', () => {
    // Given sources with different seeds
    // When
    const a = draws(seededSource(1), BOUNDS)
    const b = draws(seededSource(2), BOUNDS)
    const c = draws(seededSource(3), BOUNDS)

    // Then
    expect(a).not.toEqual(b)
    expect(a).not.toEqual(c)
    expect(b).not.toEqual(c)
  })
})

describe('replaySource', () => {
  it("reproduces a recorded run's choices", () => {
    // Given a seeded chooser that made many choices with varying bounds
    const recorder = new Chooser(seededSource(99))
    const original = BOUNDS.map((bound) => recorder.pick(bound))

    // When replaying its schedule with the same bounds
    const replayer = new Chooser(replaySource(recorder.schedule))
    const replayed = BOUNDS.map((bound) => replayer.pick(bound))

    // Then the answers and the recorded schedule are identical
    expect(replayed).toEqual(original)
    expect(replayer.schedule).toEqual(recorder.schedule)
  })

  it('throws a ScheduleMismatch (bad input) naming how many choices it had when it runs out', () => {
    // Given a schedule of two choices
    const source = replaySource([2, 1])
    const answered = [source.next(5), source.next(5)]

    // When asking a third time
    const third = (): number => source.next(5)

    // Then
    expect(answered).toEqual([2, 1])
    expect(third).toThrow(ScheduleMismatch)
    expect(third).toThrow(InputError)
    expect(third).toThrow(/^--schedule: ends after 2 choices; the run needed more$/)
  })

  it('says "1 choice" and "0 choices"', () => {
    // Given / When / Then
    const one = replaySource([0])
    one.next(2)
    expect(() => one.next(2)).toThrow('--schedule: ends after 1 choice; the run needed more')
    expect(() => replaySource([]).next(2)).toThrow('--schedule: ends after 0 choices; the run needed more')
  })

  it('throws a ScheduleMismatch naming the choice whose recorded value is out of range', () => {
    // Given a schedule whose second value does not fit three options
    const source = replaySource([1, 4, 0])
    expect(source.next(3)).toBe(1)

    // When
    let error: unknown
    try {
      source.next(3)
    } catch (caught) {
      error = caught
    }

    // Then the error names the 1-based position, the value and the options open there
    expect(error).toBeInstanceOf(ScheduleMismatch)
    expect((error as ScheduleMismatch).choice).toBe(2)
    expect((error as Error).message).toBe(
      '--schedule: choice 2 is 4, but only 3 options were open there (the schedule does not fit this run: different flags or racelab version?)',
    )
  })

  it('treats a value equal to the bound as out of range, and names the value in base 36 as written', () => {
    // Given / When / Then
    expect(() => replaySource([2]).next(2)).toThrow(/^--schedule: choice 1 is 2, but only 2 options were open there/)
    expect(() => replaySource([35]).next(10)).toThrow(/^--schedule: choice 1 is z, but only 10 options were open there/)
  })
})

describe('lenient replay (the shrinker)', () => {
  it('answers 0 past the end of the schedule', () => {
    // Given a lenient schedule of two choices
    const source = replaySource(lenientSchedule([2, 1]))

    // When asking four times
    const values = [source.next(5), source.next(5), source.next(5), source.next(5)]

    // Then
    expect(values).toEqual([2, 1, 0, 0])
  })

  it('answers 0 where a recorded value no longer fits the bound, and stays in step', () => {
    // Given a lenient schedule whose first value is out of range for the question asked
    const source = lenientReplaySource([4, 3, 1])

    // When
    const values = [source.next(3), source.next(3), source.next(3)]

    // Then the out-of-range values become 0, the in-range one is kept at its position
    expect(values).toEqual([0, 0, 1])
  })

  it('treats a value equal to the bound as out of range', () => {
    // Given / When / Then
    expect(lenientReplaySource([2]).next(2)).toBe(0)
  })

  it('lenientSchedule is a frozen copy; copying it again gives a plain schedule that replays strictly', () => {
    // Given
    const values = [5]
    const lenient = lenientSchedule(values)

    // When / Then
    expect(lenient).toEqual([5])
    expect(lenient).not.toBe(values)
    expect(Object.isFrozen(lenient)).toBe(true)
    expect(replaySource(lenient).next(2)).toBe(0)
    expect(() => replaySource([...lenient]).next(2)).toThrow(ScheduleMismatch)
  })

  it('firstOptionSource answers 0 to everything', () => {
    // Given / When / Then
    const source = firstOptionSource()
    expect([source.next(2), source.next(10_000), source.next(7)]).toEqual([0, 0, 0])
  })
})

describe('Chooser with a schedule that does not fit', () => {
  it('keeps the mismatch as its failure and throws it again on every later pick, recording nothing more', () => {
    // Given a chooser whose schedule ends after one choice
    const chooser = new Chooser(replaySource([1]))
    chooser.pick(2)

    // When the run asks twice more (the first error swallowed, as an ELS handler retry would)
    let first: unknown
    try {
      chooser.pick(2)
    } catch (caught) {
      first = caught
    }
    const again = (): number => chooser.pick(3)

    // Then
    expect(first).toBeInstanceOf(ScheduleMismatch)
    expect(chooser.failure).toBe(first)
    expect(again).toThrow(first as Error)
    expect(chooser.schedule).toEqual([1])
  })

  it('still answers a choice among one option (none is asked)', () => {
    // Given a failed chooser
    const chooser = new Chooser(replaySource([]))
    expect(() => chooser.pick(2)).toThrow(ScheduleMismatch)

    // When / Then
    expect(chooser.pick(1)).toBe(0)
  })
})

describe('Chooser.percent', () => {
  it('fires nothing when replaying past the end of a lenient schedule', () => {
    // Given an empty lenient schedule (a flattened or exhausted replay while shrinking)
    const chooser = new Chooser(replaySource(lenientSchedule([])))
    // When
    const results = Array.from({length: 20}, () => chooser.percent(99.99))
    // Then
    expect(results.every((fired) => !fired)).toBe(true)
  })

  it('honours fractions of a percent', () => {
    // Given a seeded chooser
    const chooser = new Chooser(seededSource(3))
    // When drawing 0.5% a hundred thousand times
    let fired = 0
    for (let i = 0; i < 100_000; i++) if (chooser.percent(0.5)) fired++
    // Then about 500 fire (not 1%, as rounding the percentage up would give)
    expect(fired).toBeGreaterThan(380)
    expect(fired).toBeLessThan(620)
  })
})
