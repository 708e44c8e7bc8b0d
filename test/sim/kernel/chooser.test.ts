import {describe, expect, it} from 'vitest'

import {
  Chooser,
  firstOptionSource,
  lenientReplaySource,
  lenientSchedule,
  replaySource,
  seededSource,
  type ChoiceSource,
} from '../../../src/sim/kernel/chooser.js'

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

  it('answers 0 past the end of the schedule', () => {
    // Given a schedule of two choices
    const source = replaySource([2, 1])

    // When asking four times
    const values = [source.next(5), source.next(5), source.next(5), source.next(5)]

    // Then
    expect(values).toEqual([2, 1, 0, 0])
  })

  it('answers 0 where a recorded value no longer fits the bound, and stays in step', () => {
    // Given a schedule whose first value is out of range for the question asked
    const source = replaySource([4, 3, 1])

    // When
    const values = [source.next(3), source.next(3), source.next(3)]

    // Then the out-of-range values become 0, the in-range one is kept at its position
    expect(values).toEqual([0, 0, 1])
  })

  it('treats a value equal to the bound as out of range', () => {
    // Given
    const source = replaySource([2])

    // When
    const value = source.next(2)

    // Then
    expect(value).toBe(0)
  })
})

describe('lenient replay (the shrinker)', () => {
  it('replaySource replays a lenientSchedule leniently: 0 past its end and where a value does not fit', () => {
    // Given / When
    const source = replaySource(lenientSchedule([2, 9]))

    // Then
    expect([source.next(5), source.next(5), source.next(5)]).toEqual([2, 0, 0])
  })

  it('lenientReplaySource answers 0 where a recorded value no longer fits the bound, and stays in step', () => {
    // Given / When
    const source = lenientReplaySource([4, 3, 1])

    // Then
    expect([source.next(3), source.next(3), source.next(3)]).toEqual([0, 0, 1])
  })

  it('lenientSchedule is a frozen copy equal to its values', () => {
    // Given
    const values = [5]

    // When
    const lenient = lenientSchedule(values)

    // Then
    expect(lenient).toEqual([5])
    expect(lenient).not.toBe(values)
    expect(Object.isFrozen(lenient)).toBe(true)
  })

  it('firstOptionSource answers 0 to everything', () => {
    // Given / When / Then
    const source = firstOptionSource()
    expect([source.next(2), source.next(10_000), source.next(7)]).toEqual([0, 0, 0])
  })
})

describe('Chooser.percent', () => {
  it('fires nothing when replaying past the end of a schedule', () => {
    // Given an empty schedule (a flattened or exhausted replay)
    const chooser = new Chooser(replaySource([]))
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
