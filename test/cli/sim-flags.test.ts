import {describe, expect, it} from 'vitest'

import {runFlags, runOptions, scheduleArgs} from '../../src/cli/sim-flags.js'
import {InputError} from '../../src/sim/input-error.js'

const flags = {scenario: 'partial', strategy: 'naive' as const, seed: 4, 'els-instances': 1}

describe('runFlags', () => {
  it('lists a run’s flags in one order, --schedule last unless the command draws its own choices', () => {
    // When
    const withSchedule = Object.keys(runFlags())
    const without = Object.keys(runFlags({schedule: false}))
    // Then
    expect(withSchedule).toEqual(['scenario', 'strategy', 'seed', 'essays', 'batches', 'invalid', 'delay', 'fault', 'wake', 'els-instances', 'schedule'])
    expect(without).toEqual(withSchedule.slice(0, -1))
  })

  it('takes a command’s own summary of --seed', () => {
    // When
    const seed = runFlags({seed: 'Seed of the ids.', schedule: false}).seed
    // Then
    expect(seed.summary).toBe('Seed of the ids.')
    expect(runFlags().seed.summary).toMatch(/same seed, same trace/)
  })
})

describe('runOptions', () => {
  it('is the run the flags describe: the scenario looked up, the schedule decoded', () => {
    // When
    const options = runOptions({...flags, invalid: 1, fault: ['els-restart'], schedule: {text: 'S', choices: [0, 2]}})
    // Then
    expect(options).toMatchObject({strategy: 'naive', seed: 4, invalid: 1, elsInstances: 1, schedule: [0, 2]})
    expect(options.scenario.name).toBe('partial')
    expect(options.faults?.map((f) => f.kind)).toEqual(['els-restart'])
  })

  it('names the flag of a bad value', () => {
    // When / Then
    expect(() => runOptions({...flags, delay: ['bos-relay=soon']})).toThrow(InputError)
    expect(() => runOptions({...flags, delay: ['bos-relay=soon']})).toThrow(/^--delay /)
  })
})

describe('scheduleArgs', () => {
  it('is --schedule S when the run replayed one, nothing otherwise', () => {
    // When / Then
    expect(scheduleArgs({schedule: {text: 'AAEC', choices: [0, 1, 2]}})).toEqual(['--schedule AAEC'])
    expect(scheduleArgs({})).toEqual([])
  })
})
