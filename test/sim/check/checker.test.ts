import {describe, expect, it} from 'vitest'

import {CHECKS, batchCounts, check, verdictOf} from '../../../src/sim/check/checker.js'
import {INVARIANTS, type Violation} from '../../../src/sim/check/invariant.js'
import {seconds} from '../../../src/sim/kernel/time.js'
import {ObservationBuilder, happyBatch, textId, uploadId} from './observation-builder.js'

describe('check', () => {
  it('finds no violation in a clean happy-path observation', () => {
    // Given two batches that went right, one of them with an invalid file
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 2)
    happyBatch(b, 'batch-b', 2, 1)
    const obs = b.build()

    // When
    const violations = check(obs)

    // Then
    expect(violations).toEqual([])
    expect(verdictOf(violations)).toEqual({kind: 'pass'})
  })

  it('has one check per named invariant', () => {
    // Given / When
    const names = Object.keys(CHECKS)

    // Then
    expect(names.sort()).toEqual([...INVARIANTS].sort())
  })

  it('sorts violations by invariant order, then batch id', () => {
    // Given an unpublished row for batch-z, then one for batch-a, and batch-m never ready
    const b = new ObservationBuilder()
    b.unpublished({service: 'els', rowId: 2, eventType: 'x', aggregateId: 'batch-z'})
    b.unpublished({service: 'bos', rowId: 1, eventType: 'y', aggregateId: 'batch-a'})
    b.batch('batch-m', 1)
    b.registered('batch-m', ['m-0'])
    b.upload('batch-m', uploadId('batch-m', 0), undefined)
    b.validationFailed('batch-m', uploadId('batch-m', 0))
    b.tracker({batchId: 'batch-m', expected: 1, failed: 1})

    // When
    const violations = check(b.build())

    // Then
    expect(violations.map((v) => [v.invariant, v.batchId])).toEqual([
      ['ready-exactly-once', 'batch-m'],
      ['outbox-drained', 'batch-a'],
      ['outbox-drained', 'batch-z'],
    ])
  })

  it('is pure: it neither changes the observation nor depends on anything else', () => {
    // Given an observation with several violations
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 2)
    b.excess('batch-a', textId('batch-a', 0))
    b.pending('batch-x', 'orphan')
    const obs = b.build()
    const before = structuredClone(obs)

    // When
    const first = check(obs)
    const second = check(obs)

    // Then
    expect(obs).toEqual(before)
    expect(second).toEqual(first)
    expect(first.length).toBeGreaterThan(0)
  })
})

describe('verdictOf', () => {
  it('fails with the violations when there are any', () => {
    // Given
    const violation: Violation = {invariant: 'liveness', batchId: 'b', detail: 'late', events: []}

    // When
    const verdict = verdictOf([violation])

    // Then
    expect(verdict).toEqual({kind: 'fail', violations: [violation]})
  })
})

describe('batchCounts', () => {
  it('counts expected, assigned, failed, excess and ready per batch', () => {
    // Given a clean batch with an invalid file, and a naive-strategy batch whose content
    // arrived before its registration and was reported excess
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 2, 1)
    b.batch('batch-b', 2)
    for (const i of [0, 1]) {
      b.upload('batch-b', uploadId('batch-b', i), textId('batch-b', i))
      b.content('batch-b', uploadId('batch-b', i), textId('batch-b', i))
      b.excess('batch-b', textId('batch-b', i))
    }
    b.registered('batch-b', ['b-0', 'b-1'])
    b.tracker({batchId: 'batch-b', expected: 2})

    // When
    const counts = batchCounts(b.build())

    // Then
    expect(counts).toEqual([
      {batchId: 'batch-a', expected: 3, assigned: 2, failed: 1, excess: 0, ready: 1},
      {batchId: 'batch-b', expected: 2, assigned: 0, failed: 0, excess: 2, ready: 0},
    ])
  })

  it('lists batch ids BOS never committed after BOS batches, with zero counts where unknown', () => {
    // Given content expired for a batch id nobody registered
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-z', 1)
    b.excess('batch-orphan', 'text-9', 'BATCH_NEVER_REGISTERED', seconds(30))

    // When
    const counts = batchCounts(b.build())

    // Then
    expect(counts.map((c) => c.batchId)).toEqual(['batch-z', 'batch-orphan'])
    expect(counts[1]).toEqual({batchId: 'batch-orphan', expected: 0, assigned: 0, failed: 0, excess: 1, ready: 0})
  })
})
