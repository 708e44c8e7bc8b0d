import {describe, expect, it} from 'vitest'

import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {batchLayouts, type Scenario} from '../../../src/sim/scenario/scenario.js'

const built = (name: string, topology = {}): Scenario => BUILTIN_SCENARIOS.get(name)!.build(new Chooser(seededSource(1)), topology)

describe('batchLayouts', () => {
  it('derives each batch from the counts: essays plus extra files, every batch registered', () => {
    // Given
    const scenario = built('true-excess', {batches: 2, essays: 3})

    // When
    const layouts = batchLayouts(scenario)

    // Then
    expect(layouts).toEqual([
      {essays: 3, files: [{valid: true}, {valid: true}, {valid: true}, {valid: true}]},
      {essays: 3, files: [{valid: true}, {valid: true}, {valid: true}, {valid: true}]},
    ])
  })

  it('derives them once per scenario object, and anew for a scenario built with other counts', () => {
    // Given
    const scenario = built('content-first')
    const other = {...scenario, batches: scenario.batches + 1}

    // When
    const first = batchLayouts(scenario)
    const again = batchLayouts(scenario)

    // Then the same layouts come back; a changed copy gets its own
    expect(again).toBe(first)
    expect(batchLayouts(other)).toHaveLength(first.length + 1)
  })
})
