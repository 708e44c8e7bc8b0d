import {describe, expect, it} from 'vitest'

import {delayValue, hasFault, labArgs, labCommand, labRunOptions, nextStrategy, toggleFault, withDelay, withNextSeed, withStrategy, withWake, type LabConfig} from '../../../src/sim/lab/lab-config.js'
import {InputError} from '../../../src/sim/input-error.js'
import {simulateLab} from '../../../src/sim/lab/lab-run.js'

const base: LabConfig = {scenario: 'content-first', strategy: 'naive', seed: 1, delays: [], wakes: [], faults: [], elsInstances: 1}

describe('lab config', () => {
  it('prints the command that reproduces it, flags quoted where a shell needs it', () => {
    // Given
    const config: LabConfig = {...base, essays: 3, delays: ['bos-relay=500ms±100ms'], wakes: ['bos=off'], faults: ['crash=els@5%'], elsInstances: 2}

    // Then
    expect(labCommand(config)).toBe(
      "racelab step --scenario content-first --strategy naive --seed 1 --essays 3 --delay 'bos-relay=500ms±100ms' --wake bos=off --fault 'crash=els@5%' --els-instances 2",
    )
  })

  it('a delay edit replaces the earlier setting of its target, and is checked', () => {
    // When
    const once = withDelay(base, 'bos-relay', '1s')
    const twice = withDelay(once, 'bos-relay', ' 0 ')

    // Then
    expect(twice.delays).toEqual(['bos-relay=0'])
    expect(() => withDelay(base, 'bos-relay', 'soon')).toThrow(InputError)
    expect(() => withDelay(base, 'bos-relay', 'soon')).toThrow(/--delay bos-relay=soon/)
  })

  it('wakes, faults, strategy and seed change the config; every change drops a replayed schedule', () => {
    // Given
    const replayed: LabConfig = {...base, schedule: 'AAEC'}

    // Then
    expect(withWake(replayed, 'bos', false)).toMatchObject({wakes: ['bos=off']})
    expect(withWake(withWake(base, 'bos', false), 'bos', true).wakes).toEqual(['bos=on'])
    const faulted = toggleFault(replayed, 'broker-unavailable')
    expect(faulted.faults).toEqual(['broker-unavailable=1s..2s'])
    expect(hasFault(faulted, 'broker-unavailable')).toBe(true)
    expect(toggleFault(faulted, 'broker-unavailable').faults).toEqual([])
    expect(withStrategy(replayed, 'buffer').strategy).toBe('buffer')
    expect(withNextSeed(replayed).seed).toBe(2)
    expect(withNextSeed({...base, seed: 4_294_967_295}).seed).toBe(0)
    for (const changed of [withWake(replayed, 'bos', false), faulted, withStrategy(replayed, 'buffer'), withNextSeed(replayed), withDelay(replayed, 'kafka', '1ms')]) {
      expect(changed.schedule).toBeUndefined()
      expect(labArgs(changed).join(' ')).not.toContain('--schedule')
    }
    expect(labArgs(replayed)).toContain('--schedule AAEC')
  })

  it('cycles the strategies in the table’s order', () => {
    expect(nextStrategy('naive')).toBe('buffer')
    expect(nextStrategy('buffer')).toBe('partition-key')
    expect(nextStrategy('relay-coordination')).toBe('naive')
  })

  it('turns into run options; a bad flag text is an InputError naming it', () => {
    // When
    const options = labRunOptions({...base, delays: ['bos-relay=0'], faults: ['els-restart']})

    // Then
    expect(options.delays).toEqual([{target: 'bos-relay', delay: {kind: 'fixed', value: 0}}])
    expect(options.faults?.map((f) => f.kind)).toEqual(['els-restart'])
    expect(() => labRunOptions({...base, faults: ['meteor']})).toThrow(/--fault meteor/)
  })

  it('reads each delay target’s value from the run’s parameters', () => {
    // Given
    const {run} = simulateLab(withDelay(base, 'file-relay', '500ms'))

    // Then
    expect(delayValue(run.result.parameters, 'bos-relay')).toBe('2s')
    expect(delayValue(run.result.parameters, 'file-relay')).toBe('500ms')
    expect(delayValue(run.result.parameters, 'pending-timeout')).toBe('24h')
  })
})
