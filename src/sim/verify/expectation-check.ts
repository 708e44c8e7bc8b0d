import type {Expectation} from '../scenario/scenario.js'
import type {CellTally, SeedOutcome} from './cell-tally.js'

export interface ExpectationCheck {
  matched: boolean
  /** What the scenario declares, in words. */
  expected: string
  /** What the seeds did, in words. */
  actual: string
  /** The seed that best shows a mismatch (none when the mismatch is an absence over every seed). */
  evidence?: SeedOutcome
}

/** The expectation in a few words: `pass`, `fail (ready-exactly-once, no-false-excess)`. */
export function formatExpectation(expectation: Expectation): string {
  const outcome = expectation.outcome === 'pass' ? 'pass' : `${expectation.outcome} (${expectation.invariants.join(', ')})`
  return expectation.because === undefined ? outcome : `${outcome}, declared: ${expectation.because}`
}

/**
 * Compares a cell's tally with its scenario's expectation:
 * - pass: no seed fails;
 * - fail: every seed fails, violating at least every named invariant;
 * - fail-sometimes: at least one seed fails violating at least every named invariant.
 * A declared expectation (a shaped run expected to fail even under buffer, or `--expect`) is
 * judged the same way; its reason is part of what is expected.
 */
export function checkExpectation(expectation: Expectation, tally: CellTally): ExpectationCheck {
  const check = checkOutcome(expectation, tally)
  // A declared expectation says why it differs from the scenario's own (a shape, or --expect).
  return expectation.because === undefined ? check : {...check, expected: `${check.expected} (declared: ${expectation.because})`}
}

function checkOutcome(expectation: Expectation, tally: CellTally): ExpectationCheck {
  const of = `of ${tally.runs} seed${tally.runs === 1 ? '' : 's'}`
  switch (expectation.outcome) {
    case 'pass': {
      const expected = 'every seed holds every invariant'
      if (tally.failures === 0) return {matched: true, expected, actual: `all ${tally.runs} seeds passed`}
      return {matched: false, expected, actual: `${tally.failures} ${of} failed`, evidence: tally.firstFailure}
    }
    case 'fail': {
      const named = expectation.invariants.join(', ')
      const expected = `every seed fails with ${named}`
      if (tally.expectedFailures === tally.runs) return {matched: true, expected, actual: `all ${tally.runs} seeds failed with them`}
      const miss = tally.firstMiss
      const how = miss === undefined ? '' : `; seed ${miss.seed} ${describeMiss(miss, expectation.invariants)}`
      return {matched: false, expected, actual: `${tally.expectedFailures} ${of} failed with them${how}`, evidence: miss}
    }
    case 'fail-sometimes': {
      const named = expectation.invariants.join(', ')
      const expected = `some seed fails with ${named}`
      if (tally.expectedFailures > 0) return {matched: true, expected, actual: `${tally.expectedFailures} ${of} failed with them`}
      const others = tally.failures > 0 ? ` (${tally.failures} failed otherwise)` : ''
      return {matched: false, expected, actual: `none ${of} failed with them${others}`, evidence: tally.firstFailure}
    }
  }
}

function describeMiss(outcome: SeedOutcome, named: readonly string[]): string {
  if (outcome.invariants.length === 0) return 'passed'
  const missing = named.filter((name) => !(outcome.invariants as readonly string[]).includes(name))
  return `violated ${outcome.invariants.join(', ')} but not ${missing.join(', ')}`
}
