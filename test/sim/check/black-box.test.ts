import {describe, expect, it} from 'vitest'

import {blackBoxLimits} from '../../../src/sim/check/black-box-limits.js'
import {check} from '../../../src/sim/check/checker.js'
import {INVARIANTS} from '../../../src/sim/check/invariant.js'
import {ms, seconds} from '../../../src/sim/kernel/time.js'
import {ObservationBuilder} from './observation-builder.js'

/** A consumer that ran elsewhere (docs/black-box.md): opaque, and its clock is not the run's. */
describe('the checker on a consumer that ran elsewhere (--els external)', () => {
  /** b1 with 2 contents, both assigned, Ready at 10 ms broker time but stamped by a wall clock years later. */
  function wallClockStamped(external: boolean) {
    const b = new ObservationBuilder().opaque().livenessBound(seconds(5))
    b.batch('b1', 2, 0)
    b.registered('b1', ['e1', 'e2'], ms(1))
    b.upload('b1', 'f1', 't1', ms(2)).upload('b1', 'f2', 't2', ms(3))
    b.content('b1', 'f1', 't1', ms(4))
    b.content('b1', 'f2', 't2', ms(5))
    b.assigned('b1', 'e1', 'f1', 't1', ms(6))
    b.assigned('b1', 'e2', 'f2', 't2', ms(7))
    b.ready('b1', [{essay_id: 'e1', text_storage_id: 't1'}, {essay_id: 'e2', text_storage_id: 't2'}], ms(10))
    const obs = b.build()
    for (const m of obs.messages) if (m.envelope.source_service === 'els') m.envelope.event_timestamp = '2031-06-01T12:00:00.000Z'
    if (external) obs.els.external = true
    return obs
  }

  it('liveness takes the Ready’s broker time, not its envelope timestamp', () => {
    // When / Then: judged on the broker's clock, the Ready came 5 ms after the last input
    expect(check(wallClockStamped(true))).toEqual([])
  })

  it('the same observation judged by the envelope timestamp fails liveness (the contrast)', () => {
    // When
    const invariants = check(wallClockStamped(false)).map((v) => v.invariant)
    // Then
    expect(invariants).toEqual(['liveness'])
  })
})

describe('blackBoxLimits: what the topics cannot show', () => {
  it('names the invariants that need ELS’s tables, memory or outbox, in the checker’s order', () => {
    // When
    const limits = blackBoxLimits({elsRowsNamed: true})
    // Then
    expect(limits.map((l) => [l.invariant, l.judged])).toEqual([
      ['no-lost-content', 'partly'],
      ['failures-counted-once', 'no'],
      ['metrics-agree', 'no'],
      ['outbox-drained', 'partly'],
    ])
    const order = limits.map((l) => INVARIANTS.indexOf(l.invariant))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    for (const limit of limits) expect(limit.why.length).toBeGreaterThan(20)
  })

  it('without outbox_row headers on ELS’s records, its commit order is not judged either', () => {
    // When
    const limits = blackBoxLimits({elsRowsNamed: false})
    // Then
    expect(limits.find((l) => l.invariant === 'ready-after-assignments')).toMatchObject({judged: 'no'})
    expect(limits.find((l) => l.invariant === 'relay-commit-order')).toMatchObject({judged: 'partly'})
  })
})
