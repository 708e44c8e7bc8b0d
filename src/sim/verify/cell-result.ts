import {reproduceCommand} from '../simulated/reproduce.js'
import type {CellTally} from './cell-tally.js'
import {checkExpectation, type ExpectationCheck} from './expectation-check.js'
import type {Cell} from './matrix.js'

/** A cell with what its seeds did and whether that is what its scenario expects. */
export interface CellResult {
  cell: Cell
  tally: CellTally
  check: ExpectationCheck
  /** Reproduces the first failing seed. */
  reproduce?: string
  /** Reproduces the seed that shows a mismatch (the first failing seed of a 'pass' cell, the first surviving seed of a 'fail' cell). */
  evidenceReproduce?: string
}

export function cellResult(cell: Cell, tally: CellTally): CellResult {
  const check = checkExpectation(cell.expectation, tally)
  const command = (seed: number) => reproduceCommand({scenario: cell.scenario, strategy: cell.strategy, seed}, cell.shape.args)
  return {
    cell,
    tally,
    check,
    reproduce: tally.firstFailure ? command(tally.firstFailure.seed) : undefined,
    evidenceReproduce: !check.matched && check.evidence ? command(check.evidence.seed) : undefined,
  }
}
