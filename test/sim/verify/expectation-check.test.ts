import {describe, expect, it} from 'vitest'

import type {InvariantName} from '../../../src/sim/check/invariant.js'
import type {Expectation} from '../../../src/sim/scenario/scenario.js'
import {emptyTally, recordRun, type CellTally} from '../../../src/sim/verify/cell-tally.js'
import {checkExpectation, formatExpectation} from '../../../src/sim/verify/expectation-check.js'

const RACE: InvariantName[] = ['ready-exactly-once', 'no-false-excess']
const PASS: Expectation = {outcome: 'pass'}
const FAIL: Expectation = {outcome: 'fail', invariants: RACE}
const SOMETIMES: Expectation = {outcome: 'fail-sometimes', invariants: RACE}

/** A tally of seeds 1..n, seed i violating `outcomes[i - 1]`, counted against `expectation`. */
function tally(expectation: Expectation, outcomes: InvariantName[][]): CellTally {
  const named = expectation.outcome === 'pass' ? [] : expectation.invariants
  return outcomes.reduce((t, violated, i) => recordRun(t, i + 1, violated, named), emptyTally())
}

describe('checkExpectation', () => {
  it('pass matches when no seed fails', () => {
    // Given
    const seeds = tally(PASS, [[], [], []])
    // When
    const check = checkExpectation(PASS, seeds)
    // Then
    expect(check).toMatchObject({matched: true, actual: 'all 3 seeds passed'})
    expect(check.evidence).toBeUndefined()
  })

  it('pass does not match when one seed fails, and names that seed as evidence', () => {
    // Given
    const seeds = tally(PASS, [[], ['liveness'], ['outbox-drained']])
    // When
    const check = checkExpectation(PASS, seeds)
    // Then
    expect(check.matched).toBe(false)
    expect(check.actual).toBe('2 of 3 seeds failed')
    expect(check.evidence).toEqual({seed: 2, invariants: ['liveness']})
  })

  it('fail matches when every seed violates at least the named invariants (extra ones allowed)', () => {
    // Given
    const seeds = tally(FAIL, [RACE, [...RACE, 'no-lost-content'], RACE])
    // When
    const check = checkExpectation(FAIL, seeds)
    // Then
    expect(check).toMatchObject({matched: true, actual: 'all 3 seeds failed with them'})
  })

  it('fail does not match when a seed passes', () => {
    // Given
    const seeds = tally(FAIL, [RACE, [], RACE])
    // When
    const check = checkExpectation(FAIL, seeds)
    // Then
    expect(check.matched).toBe(false)
    expect(check.actual).toBe('2 of 3 seeds failed with them; seed 2 passed')
    expect(check.evidence).toEqual({seed: 2, invariants: []})
  })

  it('fail does not match when a seed fails with only some of the named invariants', () => {
    // Given
    const seeds = tally(FAIL, [RACE, RACE, ['ready-exactly-once', 'liveness']])
    // When
    const check = checkExpectation(FAIL, seeds)
    // Then
    expect(check.matched).toBe(false)
    expect(check.actual).toContain('seed 3 violated ready-exactly-once, liveness but not no-false-excess')
  })

  it('fail-sometimes matches when one seed of many fails with the named invariants', () => {
    // Given
    const seeds = tally(SOMETIMES, [[], [], RACE, []])
    // When
    const check = checkExpectation(SOMETIMES, seeds)
    // Then
    expect(check).toMatchObject({matched: true, actual: '1 of 4 seeds failed with them'})
  })

  it('fail-sometimes does not match when no seed fails with every named invariant', () => {
    // Given
    const seeds = tally(SOMETIMES, [[], ['ready-exactly-once'], []])
    // When
    const check = checkExpectation(SOMETIMES, seeds)
    // Then
    expect(check.matched).toBe(false)
    expect(check.actual).toBe('none of 3 seeds failed with them (1 failed otherwise)')
    expect(check.evidence?.seed).toBe(2)
  })

  it('formats expectations for tables and messages', () => {
    expect(formatExpectation(PASS)).toBe('pass')
    expect(formatExpectation(SOMETIMES)).toBe('fail-sometimes (ready-exactly-once, no-false-excess)')
  })
})
