import {describe, expect, it} from 'vitest'

import {shapeArgs, shapeOptions} from '../../../src/cli/sim-flags.js'
import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {CI_MATRIX} from '../../../src/sim/verify/ci-matrix.js'
import {buildCells, type Cell} from '../../../src/sim/verify/matrix.js'
import {toRunOptions} from '../../../src/sim/verify/run-spec.js'
import {CommitOnFetchEls, SecondTransactionDrainEls} from '../check/crash-variants.js'
import {makeEls, type ElsClass} from '../check/els-variants.js'
import {AnyBatchSlotEls, DoubleReadyEls, ExcessCountedAsAssignedEls, MalformedReadyEls, ReadyAtRegistrationEls, ReadyFirstEls, RecountedFailureEls} from '../check/relating-variants.js'
import {CappedDrainEls} from '../check/shape-variants.js'

// The buffer cells of `verify --ci`, block by block (a block's label; the first block has none).
// Every one of them expects the fix to pass, so a consumer that fails one seed of it fails --ci.
const cells = buildCells(CI_MATRIX, (shape) => ({options: shapeOptions(shape), args: shapeArgs(shape)})).filter((c) => c.strategy === 'buffer')

/** The invariants of the first seed of `block` that fails with `consumer` in ELS's place, or undefined. */
function firstCaught(block: string | undefined, consumer: RunOptions['makeEls']): InvariantName[] | undefined {
  for (const cell of cells.filter((c: Cell) => c.label === block)) {
    for (let seed = cell.seedStart; seed < cell.seedStart + cell.seeds; seed++) {
      const {result} = runSimulation({...toRunOptions({...cell.shape.options, scenario: cell.scenario, strategy: cell.strategy, seed}), makeEls: consumer})
      if (result.verdict === 'fail') return result.violations.map((v) => v.invariant)
    }
  }
  return undefined
}

describe('verify --ci catches every weakness of the old checker and matrix (issue 9), each in the block built for it', () => {
  it('expects the fix to pass in every buffer cell', () => {
    expect(cells.length).toBeGreaterThan(0)
    expect(cells.every((cell) => cell.expectation.outcome === 'pass')).toBe(true)
  })

  // The post-fix bugs of the real system fail verify --ci as handler modules: test/examples/handlers.test.ts.
  it.each<[string, ElsClass, string | undefined, InvariantName]>([
    ['writes Ready at registration, before any content', ReadyAtRegistrationEls, undefined, 'ready-when-complete'],
    ['counts a validation failure twice', RecountedFailureEls, undefined, 'failures-counted-once'],
    ['writes two BatchEssaysReady rows in one transaction', DoubleReadyEls, undefined, 'ready-exactly-once'],
    ['writes a malformed BatchEssaysReady', MalformedReadyEls, undefined, 'messages-parse'],
    ['commits its slot assignments after the Ready', ReadyFirstEls, undefined, 'ready-after-assignments'],
    ['fills a slot of another batch', AnyBatchSlotEls, '3 batches', 'slots-belong-to-batch'],
    ['counts excess a drain found as assigned in its metrics', ExcessCountedAsAssignedEls, 'excess before registration', 'metrics-agree'],
    ['caps a drain at 100 rows', CappedDrainEls, '150 essays', 'ready-exactly-once'],
    ['commits on fetch (at most once)', CommitOnFetchEls, 'every fault, 3 ELS instances', 'no-lost-content'],
    ['drains its buffer in a second transaction', SecondTransactionDrainEls, 'every fault, 3 ELS instances', 'ready-exactly-once'],
  ])('a consumer that %s', (_what, variant, block, invariant) => {
    // When
    const caught = firstCaught(block, makeEls(variant))

    // Then
    expect(caught).toContain(invariant)
  })
})
