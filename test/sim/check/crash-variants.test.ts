import {describe, expect, it} from 'vitest'

import {shapeOptions} from '../../../src/cli/sim-flags.js'
import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec, type Fault} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import {CI_MATRIX} from '../../../src/sim/verify/ci-matrix.js'
import {buildCells} from '../../../src/sim/verify/matrix.js'
import {makeEls} from './els-variants.js'
import {CommitOnFetchEls, SecondTransactionDrainEls} from './crash-variants.js'

const fault = (text: string): Fault => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}
const run = (scenario: string, seed: number, faults: Fault[], variant?: RunOptions['makeEls'], elsInstances = 1): SimulationRun =>
  runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy: 'buffer', seed, faults, makeEls: variant, elsInstances})
const violated = (r: SimulationRun): InvariantName[] => [...new Set(r.result.violations.map((v) => v.invariant))]
const seeds = (count: number): number[] => Array.from({length: count}, (_, i) => i + 1)
const crashPoints = (r: SimulationRun): string[] => r.trace.flatMap((e) => ('point' in e && e.point !== undefined ? [`${e.ev}:${e.point}`] : []))

describe('crash=els catches consumers that only a crash at the right boundary shows', () => {
  it('a consumer that commits on fetch (at-most-once) loses the message it crashed holding', () => {
    // Given: without crashes it behaves like the fix
    for (const seed of seeds(10)) expect(run('content-first', seed, [], makeEls(CommitOnFetchEls)).result.verdict).toBe('pass')

    // When
    const runs = seeds(20).map((seed) => run('content-first', seed, [fault('crash=els@10%')], makeEls(CommitOnFetchEls)))

    // Then: some runs crash between a take and its handling, and each of those that fails has lost a message
    const failing = runs.filter((r) => r.result.verdict === 'fail')
    expect(failing.length).toBeGreaterThan(0)
    for (const r of failing) {
      expect(crashPoints(r)).toContain('els-crashed:before-handling')
      expect(violated(r)).toContain('ready-exactly-once')
    }
  })

  it('a registration that drains its buffer in a second transaction strands the buffer when ELS crashes between the two', () => {
    // Given: without crashes it behaves like the fix
    for (const seed of seeds(10)) expect(run('partial', seed, [], makeEls(SecondTransactionDrainEls)).result.verdict).toBe('pass')

    // When
    const runs = ['partial', 'validation-failure'].flatMap((scenario) =>
      seeds(20).map((seed) => run(scenario, seed, [fault('crash=els@10%')], makeEls(SecondTransactionDrainEls))),
    )

    // Then
    const failing = runs.filter((r) => r.result.verdict === 'fail')
    expect(failing.length).toBeGreaterThan(0)
    for (const r of failing) {
      expect(crashPoints(r)).toContain('els-crashed:after-transaction')
      expect(violated(r)).toContain('ready-exactly-once')
      // The redelivered registration was taken for done (its event id, or its tracker, was committed): the buffer was never drained.
      const redelivered = r.trace.filter((e) => e.ev === 'handled' && e.type === TOPICS.batchEssaysRegistered && (e.outcome.kind === 'duplicate' || e.outcome.kind === 'already-registered'))
      expect(redelivered.length).toBeGreaterThan(0)
    }
  })

  it('the same crashes leave the buffer fix intact', () => {
    for (const scenario of ['content-first', 'partial', 'validation-failure']) {
      for (const seed of seeds(20)) expect(run(scenario, seed, [fault('crash=els@10%')]).result.violations).toEqual([])
    }
  })
})

describe('the buffer fix under crash=all', () => {
  it('holds in every built-in scenario, with 1 and 3 ELS instances, and every crash point fires', () => {
    const points = new Set<string>()
    const failures: string[] = []
    for (const scenario of BUILTIN_SCENARIOS.keys()) {
      for (const instances of [1, 3]) {
        for (const seed of seeds(15)) {
          const r = run(scenario, seed, [fault('crash=all@15%')], undefined, instances)
          for (const point of crashPoints(r)) points.add(point)
          for (const v of r.result.violations) failures.push(`${scenario} seed ${seed} ×${instances}: ${v.invariant} ${v.batchId} ${v.detail}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect([...points].sort()).toEqual(
      [
        'crashed:after-commit',
        'crashed:before-commit',
        'els-crashed:after-handling',
        'els-crashed:after-offset-commit',
        'els-crashed:after-transaction',
        'els-crashed:before-handling',
        'relay-crashed:after-mark',
        'relay-crashed:after-poll',
        'relay-crashed:after-publish',
      ].sort(),
    )
  })
})

describe('verify --ci', () => {
  const faulted = CI_MATRIX.filter((spec) => spec.shape.fault?.some((f) => f.startsWith('crash')))
  const cells = buildCells(faulted, (shape) => ({options: shapeOptions(shape), args: []})).filter((cell) => cell.strategy === 'buffer')

  /** The first seed of a --ci cell with crashes that fails this consumer, as `scenario seed`. */
  function firstCaught(variant: RunOptions['makeEls']): string | undefined {
    for (const cell of cells) {
      for (let seed = cell.seedStart; seed < cell.seedStart + cell.seeds; seed++) {
        const r = runSimulation({...cell.shape.options, scenario: BUILTIN_SCENARIOS.get(cell.scenario)!, strategy: 'buffer', seed, makeEls: variant})
        if (r.result.verdict === 'fail') return `${cell.scenario} ${seed}`
      }
    }
    return undefined
  }

  it('has a cell with the crash fault that expects the fix to pass', () => {
    expect(cells.length).toBeGreaterThan(0)
    expect(cells.every((cell) => cell.expectation.outcome === 'pass')).toBe(true)
  })

  it.each([
    ['commits on fetch', CommitOnFetchEls],
    ['drains in a second transaction', SecondTransactionDrainEls],
  ])('catches a consumer that %s', (_name, variant) => {
    expect(firstCaught(makeEls(variant))).toBeDefined()
  })
})
