import {describe, expect, it} from 'vitest'

import {check} from '../../../src/sim/check/checker.js'
import {ms, seconds} from '../../../src/sim/kernel/time.js'
import {ObservationBuilder} from './observation-builder.js'

/**
 * A user's handler owns its schema, so its observation is opaque (docs/handlers.md#what-the-checker-reads):
 * no trackers, no pending rows. The invariants that read them judge from the messages.
 */
describe('the checker on an opaque consumer (a user’s handler)', () => {
  /** b1: 2 slots, one valid and one invalid upload; the content assigned; Ready at `readyAt` listing `listed`. */
  function batchWithFailure(b: ObservationBuilder, readyAt: number, listed: boolean): void {
    b.batch('b1', 2, 0)
    b.registered('b1', ['e1', 'e2'], ms(1))
    b.upload('b1', 'f1', 't1', ms(2)).upload('b1', 'f2', undefined, ms(3))
    b.content('b1', 'f1', 't1', ms(4))
    b.validationFailed('b1', 'f2', ms(5))
    b.assigned('b1', 'e1', 'f1', 't1', ms(6))
    b.ready('b1', listed ? [{essay_id: 'e1', text_storage_id: 't1'}] : [], readyAt)
  }

  it('passes a correct run without a tracker: the counted failure is not asked for', () => {
    // Given
    const b = new ObservationBuilder().opaque()
    batchWithFailure(b, ms(7), true)
    // When / Then
    expect(check(b.build())).toEqual([])
  })

  it('the same run with ELS’s tables visible but no tracker is a lost failure (the contrast)', () => {
    // Given
    const b = new ObservationBuilder()
    batchWithFailure(b, ms(7), true)
    // When / Then
    expect(check(b.build()).map((v) => v.invariant)).toContain('no-lost-content')
  })

  it('liveness takes the ready time from the BatchEssaysReady message', () => {
    // Given a Ready 10 s after the last input, bound 5 s
    const b = new ObservationBuilder().opaque().livenessBound(seconds(5))
    batchWithFailure(b, seconds(10), true)
    // When
    const violations = check(b.build()).filter((v) => v.invariant === 'liveness')
    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].detail).toMatch(/^ready 9\.997s after its last input/)
  })

  it('ready-when-complete counts at most the invalid uploads as failed', () => {
    // Given a Ready listing nothing: 0 listed + 1 invalid < 2 expected
    const b = new ObservationBuilder().opaque()
    batchWithFailure(b, ms(7), false)
    // When
    const violations = check(b.build()).filter((v) => v.invariant === 'ready-when-complete')
    // Then
    expect(violations.map((v) => v.detail)).toEqual([expect.stringMatching(/written with 0 of 2 slots filled and 1 counted failed/)])
  })

  it('never-ready names what the messages show, not a tracker', () => {
    // Given
    const b = new ObservationBuilder().opaque()
    b.batch('b1', 2, 0).upload('b1', 'f1', 't1').upload('b1', 'f2', undefined)
    // When
    const violations = check(b.build())
    // Then
    expect(violations.map((v) => `${v.invariant}: ${v.detail}`)).toContain('ready-exactly-once: never became ready: assigned 0 of 2 expected (2 files uploaded, 1 invalid)')
    expect(violations.map((v) => v.invariant)).not.toContain('failures-counted-once')
  })
})
