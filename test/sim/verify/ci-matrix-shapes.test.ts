import {describe, expect, it} from 'vitest'

import {shapeArgs, shapeOptions} from '../../../src/cli/sim-flags.js'
import type {RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import {emptyTally, recordRun} from '../../../src/sim/verify/cell-tally.js'
import {CI_MATRIX} from '../../../src/sim/verify/ci-matrix.js'
import {checkExpectation} from '../../../src/sim/verify/expectation-check.js'
import {buildCells, namedInvariants, type Cell} from '../../../src/sim/verify/matrix.js'
import {toRunOptions} from '../../../src/sim/verify/run-spec.js'
import {makeEls} from '../check/els-variants.js'
import {CappedDrainEls} from '../check/shape-variants.js'

const cells = buildCells(CI_MATRIX, (shape) => ({options: shapeOptions(shape), args: shapeArgs(shape)}))

/** Whether a cell of `verify --ci` matches its expectation with this consumer in ELS's place. */
function cellMatches(cell: Cell, consumer?: RunOptions['makeEls']): boolean {
  let tally = emptyTally()
  for (let seed = cell.seedStart; seed < cell.seedStart + cell.seeds; seed++) {
    const options = toRunOptions({...cell.shape.options, scenario: cell.scenario, strategy: cell.strategy, seed})
    const {result} = runSimulation({...options, makeEls: consumer})
    tally = recordRun(tally, seed, result.violations.map((v) => v.invariant), namedInvariants(cell.expectation))
  }
  return checkExpectation(cell.expectation, tally).matched
}

describe('verify --ci reaches the shapes', () => {
  it('catches a drain capped at 100 rows in its cell of 150 essays, which the real buffer passes', () => {
    // Given: the buffer cells with a batch past one relay poll and one drain
    const big = cells.filter((c) => c.strategy === 'buffer' && (c.shape.options.essays ?? 0) > 100)
    expect(big.length).toBeGreaterThan(0)

    // When / Then
    for (const cell of big) expect(cellMatches(cell)).toBe(true)
    expect(big.some((cell) => !cellMatches(cell, makeEls(CappedDrainEls)))).toBe(true)
  })

  it('the capped drain passes every one-batch cell of at most 25 essays: only the new shape catches it', () => {
    // Given: the buffer cells of the first block (one batch, no faults)
    const small = cells.filter((c) => c.strategy === 'buffer' && c.label === undefined)

    // When / Then
    for (const cell of small) expect(cellMatches(cell, makeEls(CappedDrainEls))).toBe(true)
  })
})
