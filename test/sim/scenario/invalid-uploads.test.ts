import {describe, expect, it} from 'vitest'

import {recordFixture} from '../../../src/sim/fixture/record/fixture-record.js'
import {InputError} from '../../../src/sim/input-error.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {placeInvalidUploads} from '../../../src/sim/scenario/invalid-uploads.js'
import {batchLayouts} from '../../../src/sim/scenario/scenario.js'
import {shapedScenario} from '../../../src/sim/scenario/shaped-scenario.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'

const scenario = (name: string, essays?: number, batches?: number) => shapedScenario(BUILTIN_SCENARIOS.get(name)!, {essays, batches})
const invalidAt = (files: readonly {valid: boolean}[]) => files.flatMap((f, i) => (f.valid ? [] : [i]))

describe('--invalid N', () => {
  it('makes exactly N uploads of every batch invalid, replacing the scenario’s own', () => {
    // Given: validation-failure has its own invalid first file
    const base = scenario('validation-failure', 6, 3)

    // When
    const placed = placeInvalidUploads(base, 2, 5)

    // Then
    expect(batchLayouts(placed)).toHaveLength(3)
    for (const batch of batchLayouts(placed)) {
      expect(batch.files).toHaveLength(6)
      expect(invalidAt(batch.files)).toHaveLength(2)
    }
    expect(batchLayouts(placeInvalidUploads(base, 0, 5)).every((b) => b.files.every((f) => f.valid))).toBe(true)
  })

  it('draws the positions from the seed: the same seed the same places, other seeds anywhere, not always first', () => {
    // Given
    const base = scenario('registration-first', 5, 2)
    const positions = (seed: number) => batchLayouts(placeInvalidUploads(base, 1, seed)).map((b) => invalidAt(b.files)[0])

    // When
    const drawn = Array.from({length: 40}, (_, seed) => positions(seed))

    // Then: deterministic, every position reached, batches drawn apart
    expect(positions(7)).toEqual(positions(7))
    expect(new Set(drawn.flat())).toEqual(new Set([0, 1, 2, 3, 4]))
    expect(drawn.some(([b1, b2]) => b1 !== b2)).toBe(true)
  })

  it('refuses more invalid uploads than a batch has files, naming the flag', () => {
    // When / Then
    expect(() => placeInvalidUploads(scenario('content-first'), 3, 1)).toThrow(InputError)
    expect(() => placeInvalidUploads(scenario('content-first'), 3, 1)).toThrow('--invalid 3: more than the 2 files a batch of content-first uploads')
    expect(() => placeInvalidUploads(scenario('true-excess'), 3, 1)).not.toThrow()
  })

  it('changes only the validity of files: the same uploads, N of them failing', () => {
    // Given
    const options = {scenario: BUILTIN_SCENARIOS.get('registration-first')!, strategy: 'buffer' as const, seed: 3, essays: 4}

    // When
    const plain = runSimulation(options)
    const shaped = runSimulation({...options, invalid: 2})

    // Then
    const committed = (r: typeof plain) => r.trace.flatMap((e) => (e.ev === 'file-committed' ? [`${e.batch}-${e.file}`] : []))
    expect(committed(shaped).sort()).toEqual(committed(plain).sort())
    expect(shaped.trace.filter((e) => e.ev === 'file-committed' && e.outcome === 'failed').length).toBe(2)
    expect(shaped.result.verdict).toBe('pass')
  })

  it('under naive, an invalid upload that overtakes the registration is lost; buffer counts it', () => {
    // When: content-first with 4 essays, 2 of them invalid, over a few seeds
    const runs = [1, 2, 3].map((seed) => ({
      naive: runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed, essays: 4, invalid: 2}),
      buffer: runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed, essays: 4, invalid: 2}),
    }))

    // Then
    for (const {naive, buffer} of runs) {
      expect(naive.result.violations.map((v) => v.invariant)).toContain('no-lost-content')
      expect(buffer.result.violations).toEqual([])
    }
  })

  it('is recorded into a fixture as the layout, which replays the run exactly', () => {
    // When: recordFixture replays what it wrote and throws if the trace differs
    const recording = recordFixture({scenario: BUILTIN_SCENARIOS.get('partial')!, strategy: 'naive', seed: 4, essays: 3, invalid: 1})

    // Then
    expect(recording.text.match(/valid: false/g)).toHaveLength(1)
  })
})
