import {describe, expect, it} from 'vitest'

import {DEFAULT_PARTITIONS} from '../../../src/sim/domain/topics.js'
import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {SECOND, seconds} from '../../../src/sim/kernel/time.js'
import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../../../src/sim/scenario/builtin-scenarios.js'
import {draw, maxOf} from '../../../src/sim/scenario/delay.js'
import type {ScenarioDefinition} from '../../../src/sim/scenario/scenario.js'

const EXPECTED_NAMES = [
  'registration-first',
  'content-first',
  'partial',
  'relay-delay',
  'true-excess',
  'validation-failure',
  'never-registered',
  'large-batch',
  'random',
  'batch-upload',
]

function definition(name: string): ScenarioDefinition {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

describe('built-in scenarios', () => {
  it('lists every built-in scenario by name', () => {
    // Given / When / Then
    expect(SCENARIO_NAMES).toEqual(EXPECTED_NAMES)
    expect([...BUILTIN_SCENARIOS.keys()]).toEqual(EXPECTED_NAMES)
    for (const name of SCENARIO_NAMES) expect(definition(name).summary.length).toBeGreaterThan(10)
  })

  it.each(EXPECTED_NAMES)('%s builds with a seeded chooser into a well-formed scenario', (name) => {
    // Given
    const chooser = new Chooser(seededSource(42))

    // When
    const scenario = definition(name).build(chooser, {})

    // Then
    expect(scenario.name).toBe(name)
    // never-registered: a registered batch beside the one BOS never commits, whose rows expire after 5 s
    expect(scenario.batches).toBe(name === 'never-registered' ? 2 : 1)
    expect(scenario.essays).toBe(name === 'large-batch' ? 25 : 2)
    expect(scenario.partitions).toBe(DEFAULT_PARTITIONS)
    expect(scenario.pendingTimeout).toBe(name === 'never-registered' ? seconds(5) : seconds(24 * 3600))
    expect(Object.keys(scenario.relays).sort()).toEqual(['bos', 'els', 'file'])
    for (const relay of Object.values(scenario.relays)) {
      expect(relay.pollInterval).toBeGreaterThan(0)
      expect(maxOf(relay.publishDelay)).toBeGreaterThanOrEqual(0)
    }
    for (let file = 0; file < scenario.essays + scenario.extraFiles; file++) {
      const delay = draw(scenario.processing(file), chooser)
      expect(delay).toBeGreaterThan(0)
      expect(delay).toBeLessThanOrEqual(3 * SECOND)
    }
    for (const index of scenario.invalidFiles) expect(index).toBeLessThan(scenario.essays + scenario.extraFiles)
  })

  it('only the random scenario draws from the chooser while building', () => {
    // Given
    const counts = EXPECTED_NAMES.map((name) => {
      const chooser = new Chooser(seededSource(1))
      definition(name).build(chooser, {})
      return [name, chooser.schedule.length] as const
    })

    // When / Then
    for (const [name, count] of counts) {
      if (name === 'random') expect(count).toBeGreaterThan(0)
      else expect(count).toBe(0)
    }
  })

  it('random draws its relay skews from the real skews, deterministically per seed', () => {
    // Given
    const skews = new Set<number>()
    const wakes = new Set<boolean>()

    // When building with many seeds
    for (let seed = 0; seed < 60; seed++) {
      const scenario = definition('random').build(new Chooser(seededSource(seed)), {})
      const again = definition('random').build(new Chooser(seededSource(seed)), {})
      expect(again.relays.bos).toEqual(scenario.relays.bos)
      expect(again.relays.file).toEqual(scenario.relays.file)
      for (const service of ['bos', 'file'] as const) {
        const delay = scenario.relays[service].publishDelay
        expect(delay.kind).toBe('fixed')
        skews.add(maxOf(delay))
      }
      wakes.add(scenario.relays.bos.wake)
      expect(scenario.relays.file.wake).toBe(true)
    }

    // Then
    expect([...skews].sort((a, b) => a - b)).toEqual([0, 500_000, SECOND, 2 * SECOND])
    expect([...wakes].sort()).toEqual([false, true])
  })

  it.each(EXPECTED_NAMES)('%s applies --essays and --batches overrides', (name) => {
    // Given
    const chooser = new Chooser(seededSource(3))

    // When
    const scenario = definition(name).build(chooser, {essays: 7, batches: 4})

    // Then
    expect(scenario.essays).toBe(7)
    expect(scenario.batches).toBe(4)
  })

  it('applies one override and keeps the default of the other', () => {
    // Given / When
    const onlyBatches = definition('large-batch').build(new Chooser(seededSource(3)), {batches: 2})
    const onlyEssays = definition('content-first').build(new Chooser(seededSource(3)), {essays: 5})

    // Then
    expect([onlyBatches.batches, onlyBatches.essays]).toEqual([2, 25])
    expect([onlyEssays.batches, onlyEssays.essays]).toEqual([1, 5])
  })

  it('models the scenario-specific settings', () => {
    // Given
    const build = (name: string) => definition(name).build(new Chooser(seededSource(9)), {})

    // When
    const contentFirst = build('content-first')
    const relayDelay = build('relay-delay')
    const trueExcess = build('true-excess')
    const validation = build('validation-failure')

    // Then
    expect(contentFirst.relays.bos.publishDelay).toEqual({kind: 'fixed', value: 2 * SECOND})
    expect(relayDelay.relays.bos.publishDelay).toEqual({kind: 'fixed', value: 2 * SECOND})
    expect(relayDelay.relays.file.publishDelay).toEqual({kind: 'fixed', value: 500_000})
    expect(trueExcess.extraFiles).toBe(1)
    expect(validation.invalidFiles).toEqual([0])
  })
})
