import {describe, expect, it} from 'vitest'

import {INVARIANTS} from '../../../src/sim/check/invariant.js'
import {firstViolation, invariantBreaks, invariantsAt} from '../../../src/sim/lab/invariant-breaks.js'
import {simulateLab} from '../../../src/sim/lab/lab-run.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'

const lab = (scenario: string, strategy: Strategy, faults: string[] = []) =>
  simulateLab({scenario, strategy, seed: 1, delays: [], wakes: [], faults, elsInstances: 1})

describe('invariant breaks', () => {
  it('naive in content-first breaks at the first content ELS handled before the registration', () => {
    // Given
    const {run, breaks} = lab('content-first', 'naive')

    // Then
    const first = run.trace.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'excess')
    expect(breaks.map((b) => [b.invariant, b.at])).toEqual([
      ['ready-exactly-once', first],
      ['no-false-excess', first],
    ])
    expect(firstViolation(breaks)).toBe(first)
  })

  it('every invariant holds before its break and is broken from it on', () => {
    // Given
    const {breaks} = lab('content-first', 'naive')
    const at = firstViolation(breaks)!

    // When
    const before = invariantsAt(breaks, at - 1)
    const from = invariantsAt(breaks, at)

    // Then
    expect(before.map((s) => s.invariant)).toEqual([...INVARIANTS])
    expect(before.every((s) => s.broken.length === 0)).toBe(true)
    expect(from.filter((s) => s.broken.length > 0).map((s) => s.invariant)).toEqual(['ready-exactly-once', 'no-false-excess'])
  })

  it('a passing run has no break', () => {
    // Given
    const {breaks} = lab('content-first', 'buffer')

    // Then
    expect(breaks).toEqual([])
    expect(firstViolation(breaks)).toBeUndefined()
  })

  it('a violation judged at the end (outbox-drained) breaks at the last event', () => {
    // Given a relay that gives every row up
    const {run} = lab('content-first', 'buffer', ['publish-error=bos@100%'])

    // When
    const breaks = invariantBreaks(run.trace, run.result.violations)

    // Then
    const drained = breaks.find((b) => b.invariant === 'outbox-drained')
    expect(drained?.at).toBe(run.trace.length - 1)
  })
})
