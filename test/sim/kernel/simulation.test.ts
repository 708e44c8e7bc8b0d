import {describe, expect, it} from 'vitest'

import {Chooser, replaySource, ScheduleMismatch, seededSource} from '../../../src/sim/kernel/chooser.js'
import {Simulation} from '../../../src/sim/kernel/simulation.js'

function replaySim(schedule: number[] = []): Simulation {
  return new Simulation(new Chooser(replaySource(schedule)))
}

describe('Simulation', () => {
  it('runs steps in time order, whatever order they were scheduled in', () => {
    // Given tasks scheduled out of time order
    const sim = replaySim()
    const ran: string[] = []
    for (const [time, name] of [
      [30, 'c'],
      [10, 'a'],
      [50, 'e'],
      [20, 'b'],
      [40, 'd'],
    ] as const) {
      sim.at(time, () => ran.push(`${name}@${sim.now}`))
    }

    // When
    const reason = sim.run(1000)

    // Then
    expect(ran).toEqual(['a@10', 'b@20', 'c@30', 'd@40', 'e@50'])
    expect(reason).toBe('quiet')
    expect(sim.steps).toBe(5)
    expect(sim.now).toBe(50)
  })

  it('keeps time order for many tasks (heap order)', () => {
    // Given 200 tasks at distinct, scrambled times
    const sim = replaySim()
    const times = Array.from({length: 200}, (_, i) => (i * 7919) % 200)
    const seen: number[] = []
    for (const t of times) sim.at(t, () => seen.push(sim.now))

    // When
    sim.run(10_000)

    // Then
    expect(seen).toEqual([...times].sort((a, b) => a - b))
  })

  it('after() schedules relative to the current virtual time', () => {
    // Given a task that schedules a follow-up 15 after itself
    const sim = replaySim()
    const ran: number[] = []
    sim.at(10, () => sim.after(15, () => ran.push(sim.now)))

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual([25])
  })

  it('never moves time backwards: a task scheduled in the past runs now', () => {
    // Given a task at 50 that schedules another at 20
    const sim = replaySim()
    const ran: number[] = []
    sim.at(50, () => sim.at(20, () => ran.push(sim.now)))

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual([50])
  })

  it('choice 0 runs tied tasks in insertion order', () => {
    // Given two tasks due at the same instant and a replay schedule [0]
    const sim = replaySim([0])
    const ran: string[] = []
    sim.at(10, () => ran.push('first'))
    sim.at(10, () => ran.push('second'))

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual(['first', 'second'])
  })

  it('lets the chooser decide ties: schedule [1] runs the second tied task first', () => {
    // Given two tied tasks and a replay schedule [1]
    const sim = replaySim([1])
    const ran: string[] = []
    sim.at(10, () => ran.push('first'))
    sim.at(10, () => ran.push('second'))

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual(['second', 'first'])
    expect(sim.chooser.schedule).toEqual([1])
  })

  it('asks the chooser again among the remaining tied tasks', () => {
    // Given three tied tasks; schedule [2, 1]: third first, then the second of the remaining two
    const sim = replaySim([2, 1])
    const ran: string[] = []
    for (const name of ['a', 'b', 'c']) sim.at(10, () => ran.push(name))

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual(['c', 'b', 'a'])
    expect(sim.chooser.schedule).toEqual([2, 1])
  })

  it('does not ask the chooser when no tasks are tied', () => {
    // Given tasks at distinct times
    const sim = replaySim([1, 1, 1])
    sim.at(1, () => undefined)
    sim.at(2, () => undefined)

    // When
    sim.run(100)

    // Then
    expect(sim.chooser.schedule).toEqual([])
  })

  it('cancel() prevents a task from running, also when it was tied with others', () => {
    // Given three tasks, one of them cancelled, two tied with the cancelled one
    const sim = replaySim([])
    const ran: string[] = []
    sim.at(5, () => ran.push('early'))
    const doomed = sim.at(10, () => ran.push('doomed'))
    sim.at(10, () => ran.push('kept'))
    sim.cancel(doomed)

    // When
    sim.run(100)

    // Then
    expect(ran).toEqual(['early', 'kept'])
    expect(doomed.cancelled).toBe(true)
    expect(sim.chooser.schedule).toEqual([]) // only one live task at 10: no choice
    expect(sim.steps).toBe(2)
  })

  it('cancel() from inside a running step stops a later task', () => {
    // Given a task at 20 that a task at 10 cancels
    const sim = replaySim()
    const ran: string[] = []
    const later = sim.at(20, () => ran.push('later'))
    sim.at(10, () => {
      ran.push('canceller')
      sim.cancel(later)
    })

    // When
    const reason = sim.run(100)

    // Then
    expect(ran).toEqual(['canceller'])
    expect(reason).toBe('quiet')
  })

  it('cancel(undefined) is harmless', () => {
    // Given a simulation with one task
    const sim = replaySim()
    let ran = false
    sim.at(1, () => {
      ran = true
    })

    // When
    sim.cancel(undefined)
    sim.run(10)

    // Then
    expect(ran).toBe(true)
  })

  it("run(limit) returns 'time-limit' and leaves later tasks for a later run", () => {
    // Given tasks before, at and after the limit
    const sim = replaySim()
    const ran: number[] = []
    for (const t of [10, 100, 101, 500]) sim.at(t, () => ran.push(sim.now))

    // When
    const first = sim.run(100)

    // Then tasks up to and including the limit ran, the rest wait
    expect(first).toBe('time-limit')
    expect(ran).toEqual([10, 100])
    expect(sim.now).toBe(100)
    expect(sim.steps).toBe(2)

    // When the run continues
    const second = sim.run(1000)

    // Then the remaining tasks run
    expect(second).toBe('quiet')
    expect(ran).toEqual([10, 100, 101, 500])
  })

  it("returns 'quiet' at once when nothing is scheduled", () => {
    // Given an empty simulation
    const sim = replaySim()

    // When
    const reason = sim.run(0)

    // Then
    expect(reason).toBe('quiet')
    expect(sim.steps).toBe(0)
  })

  it('is deterministic: two seeded simulations with many ties run in the same order', () => {
    // Given the same tie-heavy workload on two simulations with the same seed
    const order = (seed: number): string[] => {
      const sim = new Simulation(new Chooser(seededSource(seed)))
      const ran: string[] = []
      for (let i = 0; i < 30; i++) sim.at(i % 3, () => ran.push(`t${i}`))
      sim.run(100)
      return ran
    }

    // When
    const a = order(7)
    const b = order(7)

    // Then
    expect(a).toEqual(b)
    expect(a).toHaveLength(30)
    expect(new Set(a).size).toBe(30)
  })
})

it('run(limit) that stops before tied tasks consumes no choice', () => {
  // Given two tied tasks at 10 and a replay schedule [1]
  const sim = new Simulation(new Chooser(replaySource([1])))
  const ran: string[] = []
  sim.at(10, () => ran.push('first'))
  sim.at(10, () => ran.push('second'))
  // When the run is split at 5, then continued
  expect(sim.run(5)).toBe('time-limit')
  sim.run(100)
  // Then the order is the same as one run(100) would give: second, first
  expect(sim.chooser.schedule).toEqual([1])
  expect(ran).toEqual(['second', 'first'])
})

describe('Simulation replaying a schedule that does not fit', () => {
  it('throws the mismatch from the tie it could not break', () => {
    // Given two tied tasks and an empty schedule
    const sim = replaySim([])
    sim.at(10, () => undefined)
    sim.at(10, () => undefined)

    // When / Then
    expect(() => sim.run(100)).toThrow(ScheduleMismatch)
  })

  it('rethrows the mismatch after a step that caught it, and runs no further step', () => {
    // Given a step that swallows every error of its choice (as ELS's handler retry does), then another step
    const sim = replaySim([])
    const ran: string[] = []
    sim.at(10, () => {
      try {
        sim.chooser.pick(2)
      } catch {
        ran.push('swallowed')
      }
    })
    sim.at(20, () => ran.push('later'))

    // When / Then
    expect(() => sim.run(100)).toThrow('--schedule: ends after 0 choices; the run needed more')
    expect(ran).toEqual(['swallowed'])
  })
})
