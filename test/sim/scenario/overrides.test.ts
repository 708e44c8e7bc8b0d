import {describe, expect, it} from 'vitest'

import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {fixed, range, type Delay} from '../../../src/sim/scenario/delay.js'
import {DELAY_TARGETS, type DelayTarget} from '../../../src/sim/scenario/delay-spec.js'
import {applyOverrides} from '../../../src/sim/scenario/overrides.js'
import type {Scenario} from '../../../src/sim/scenario/scenario.js'

const base = (): Scenario => BUILTIN_SCENARIOS.get('content-first')!.build(new Chooser(seededSource(1)), {})

const D = range(7_000, 9_000)
const F_VALUE = 4_000_000
const F = fixed(F_VALUE)

/** Where each target lands in the scenario. */
const READ: Record<DelayTarget, (s: Scenario) => Delay | number> = {
  'bos-relay': (s) => s.relays.bos.publishDelay,
  'file-relay': (s) => s.relays.file.publishDelay,
  'els-relay': (s) => s.relays.els.publishDelay,
  'bos-poll': (s) => s.relays.bos.pollInterval,
  'file-poll': (s) => s.relays.file.pollInterval,
  'els-poll': (s) => s.relays.els.pollInterval,
  kafka: (s) => s.kafkaLatency,
  els: (s) => s.elsHandling,
  'file-processing': (s) => s.processing(0),
  'upload-gap': (s) => s.uploadGap,
  'batch-gap': (s) => s.batchGap,
  'pending-timeout': (s) => s.pendingTimeout,
}

/** Fixed-only targets take the fixed value itself; the others the delay. */
const FIXED_ONLY = new Set<DelayTarget>(['bos-poll', 'file-poll', 'els-poll', 'pending-timeout'])

describe('applyOverrides', () => {
  it('covers every documented target', () => {
    // Given / When / Then
    expect(Object.keys(READ).sort()).toEqual(Object.keys(DELAY_TARGETS).sort())
  })

  it.each(Object.keys(DELAY_TARGETS) as DelayTarget[])('sets %s and nothing else', (target) => {
    // Given
    const scenario = base()
    const delay = FIXED_ONLY.has(target) ? F : D

    // When
    const result = applyOverrides(scenario, {delays: [{target, delay}]})

    // Then the target has the new value
    expect(READ[target](result)).toEqual(FIXED_ONLY.has(target) ? F_VALUE : D)
    // and every other target kept its value
    for (const other of Object.keys(READ) as DelayTarget[]) {
      if (other !== target) expect(READ[other](result), other).toEqual(READ[other](scenario))
    }
  })

  it('file-processing applies to every file of the batch', () => {
    // Given
    const scenario = BUILTIN_SCENARIOS.get('partial')!.build(new Chooser(seededSource(1)), {})

    // When
    const result = applyOverrides(scenario, {delays: [{target: 'file-processing', delay: D}]})

    // Then
    expect([0, 1, 2, 3].map((file) => result.processing(file))).toEqual([D, D, D, D])
    expect(scenario.processing(0)).not.toEqual(scenario.processing(1))
  })

  it('lets the last setting for a target win', () => {
    // Given / When
    const result = applyOverrides(base(), {delays: [{target: 'kafka', delay: fixed(1)}, {target: 'kafka', delay: fixed(2)}]})

    // Then
    expect(result.kafkaLatency).toEqual(fixed(2))
  })

  it('sets each relay wake-up', () => {
    // Given
    const scenario = base()

    // When
    const result = applyOverrides(scenario, {wakes: [{service: 'bos', wake: false}, {service: 'els', wake: false}]})

    // Then
    expect([result.relays.bos.wake, result.relays.file.wake, result.relays.els.wake]).toEqual([false, true, false])
  })

  it('leaves the scenario it was given untouched', () => {
    // Given
    const scenario = base()
    const before = JSON.stringify(scenario)

    // When
    applyOverrides(scenario, {
      delays: [
        {target: 'bos-relay', delay: D},
        {target: 'bos-poll', delay: F},
      ],
      wakes: [{service: 'bos', wake: false}],
    })

    // Then
    expect(JSON.stringify(scenario)).toBe(before)
  })

  it('without overrides is the scenario as built', () => {
    // Given
    const scenario = base()

    // When
    const result = applyOverrides(scenario, {})

    // Then
    expect(JSON.stringify(result)).toBe(JSON.stringify(scenario))
  })
})
