import {describe, expect, it} from 'vitest'

import {ScheduleMismatch} from '../../../src/sim/kernel/chooser.js'
import {decodeSchedule} from '../../../src/sim/kernel/schedule.js'
import {InputError} from '../../../src/sim/input-error.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {fixed} from '../../../src/sim/scenario/delay.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'

/** `racelab run --schedule S` as the command builds it: the decoded text replayed by runSimulation. */
function replay(options: RunOptions, text: string): ReturnType<typeof runSimulation> {
  return runSimulation({...options, schedule: decodeSchedule(text)})
}

function thrownBy(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the replay to throw')
}

const scenario = (name: string): RunOptions['scenario'] => BUILTIN_SCENARIOS.get(name)!

/** Runs whose schedules have ties, ranged delays and faults (register-db-error is drawn inside ELS's handler). */
const RUNS: [string, RunOptions][] = [
  ['random', {scenario: scenario('random'), strategy: 'naive', seed: 21}],
  ['content-first, 3 batches', {scenario: scenario('content-first'), strategy: 'buffer', seed: 2, batches: 3}],
  [
    'partial with faults and 2 ELS instances',
    {
      scenario: scenario('partial'),
      strategy: 'buffer',
      seed: 7,
      elsInstances: 2,
      faults: [
        {kind: 'register-db-error', percent: 40},
        {kind: 'els-restart', percent: 20},
        {kind: 'consumer-crash-before-commit', percent: 20},
      ],
    },
  ],
  [
    // Cut after 7, 8 or 9 choices, the next choice is ELS's register-db-error draw, made in the
    // handler that treats any error as a failed handling and retries: the mismatch must still
    // end the run (lost, it retried until the time limit).
    'content-first, the next choice inside ELS handling',
    {
      scenario: scenario('content-first'),
      strategy: 'buffer',
      seed: 1,
      essays: 1,
      delays: [{target: 'kafka', delay: fixed(0)}],
      faults: [{kind: 'register-db-error', percent: 50}],
    },
  ],
]

describe('replaying a --schedule', () => {
  it.each(RUNS)('%s: the recorded schedule reproduces the run byte for byte', (_label, options) => {
    // Given
    const original = runSimulation(options)

    // When
    const again = replay(options, original.result.schedule)

    // Then
    expect(original.result.schedule.split(',').length).toBeGreaterThan(2)
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(original.trace))
    expect(again.result).toEqual(original.result)
  })

  it.each(RUNS)('%s: a schedule cut short at any point is bad input naming where it ended', (_label, options) => {
    // Given the recorded schedule
    const recorded = runSimulation(options).result.schedule.split(',')

    for (let length = 0; length < recorded.length; length++) {
      // When replaying only its first `length` choices
      const error = thrownBy(() => replay(options, recorded.slice(0, length).join(',')))

      // Then (also where the choice was made inside ELS's handler, which retries on any error)
      expect(error).toBeInstanceOf(InputError)
      expect(error.message).toBe(`--schedule: ends after ${length} choice${length === 1 ? '' : 's'}; the run needed more`)
    }
  })

  it.each(RUNS)('%s: a value out of range is bad input naming its position', (_label, options) => {
    // Given the recorded schedule with one value made too large for any choice (zzzzz = 60,466,175)
    const recorded = runSimulation(options).result.schedule.split(',')
    for (const position of [1, Math.ceil(recorded.length / 2), recorded.length]) {
      const garbage = recorded.map((value, i) => (i === position - 1 ? 'zzzzz' : value)).join(',')

      // When
      const error = thrownBy(() => replay(options, garbage))

      // Then one line, naming the choice (1-based), its value and the options there were
      expect(error).toBeInstanceOf(ScheduleMismatch)
      expect(error).toBeInstanceOf(InputError)
      expect((error as ScheduleMismatch).choice).toBe(position)
      expect(error.message).toMatch(
        new RegExp(
          `^--schedule: choice ${position} is zzzzz, but only \\d+ options were open there \\(the schedule does not fit this run: different flags or racelab version\\?\\)$`,
        ),
      )
    }
  })

  it('a schedule recorded with other flags does not fit: bad input, not a different run', () => {
    // Given a schedule recorded with three batches
    const options: RunOptions = {scenario: scenario('random'), strategy: 'naive', seed: 3, batches: 3}
    const recorded = runSimulation(options).result.schedule

    // When replaying it with ten
    const error = thrownBy(() => replay({...options, batches: 10}, recorded))

    // Then
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(/^--schedule: (ends after \d+ choices; the run needed more|choice \d+ is \w+, but only \d+ options were open there)/)
  })
})
