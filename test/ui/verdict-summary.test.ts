import {describe, expect, it} from 'vitest'

import type {BatchCounts} from '../../src/sim/check/checker.js'
import type {Violation} from '../../src/sim/check/invariant.js'
import {BATCH_ROWS, summariseVerdict, VIOLATIONS_PER_INVARIANT} from '../../src/ui/verdict-summary.js'
import {verdictLines} from '../../src/ui/verdict-lines.js'

const violation = (invariant: string, batchId: string): Violation => ({invariant, batchId, detail: `${invariant} of ${batchId}`, events: []}) as unknown as Violation
const batch = (i: number): BatchCounts => ({batchId: `b${i}`, expected: 4, assigned: i % 2 === 0 ? 4 : 0, failed: 0, excess: i % 2 === 0 ? 0 : 4, ready: i % 2 === 0 ? 1 : 0}) as BatchCounts

describe('summariseVerdict: the verdict of a large run stays bounded', () => {
  it('a small run: every violation and every batch, nothing summed', () => {
    // Given
    const violations = [violation('ready-exactly-once', 'b1'), violation('no-false-excess', 'b1')]
    // When
    const summary = summariseVerdict(violations, [batch(1), batch(2)])
    // Then
    expect(summary.lines).toEqual(violations.map((v) => ({violation: v})))
    expect(summary.batches.map((b) => b.batchId)).toEqual(['b1', 'b2'])
    expect(summary.rest).toBeUndefined()
  })

  it('past a count: the first violations of every invariant and how many more; 20 batches and the sums of the rest', () => {
    // Given: 100 batches, 100 violations of one invariant, 3 of another, interleaved
    const batches = Array.from({length: 100}, (_, i) => batch(i + 1))
    const violations = batches.flatMap((b, i) => [violation('ready-exactly-once', b.batchId), ...(i < 3 ? [violation('liveness', b.batchId)] : [])])
    // When
    const summary = summariseVerdict(violations, batches)
    // Then: every invariant is named, in the order found; none lists more than its share
    expect(summary.lines).toHaveLength(VIOLATIONS_PER_INVARIANT + 1 + 3)
    expect(summary.lines[VIOLATIONS_PER_INVARIANT]).toEqual({invariant: 'ready-exactly-once', more: 100 - VIOLATIONS_PER_INVARIANT})
    expect(summary.lines.slice(VIOLATIONS_PER_INVARIANT + 1)).toEqual(violations.filter((v) => v.invariant === 'liveness').map((v) => ({violation: v})))
    // And the batches past BATCH_ROWS are summed, column by column
    expect(summary.batches).toEqual(batches.slice(0, BATCH_ROWS))
    const hidden = batches.slice(BATCH_ROWS)
    expect(summary.rest).toEqual({
      count: 80,
      expected: 320,
      assigned: hidden.reduce((s, b) => s + b.assigned, 0),
      failed: 0,
      excess: hidden.reduce((s, b) => s + b.excess, 0),
      ready: hidden.reduce((s, b) => s + b.ready, 0),
    })
  })

  it('verdictLines of 10,000 batches: a bounded number of lines, the count of every violation in the heading', () => {
    // Given
    const batches = Array.from({length: 10_000}, (_, i) => batch(i + 1))
    const violations = batches.map((b) => violation('ready-exactly-once', b.batchId))
    // When
    const lines = verdictLines({verdict: 'fail', violations, batches}).map((l) => l.text)
    // Then
    expect(lines[0]).toBe('FAIL 10000 invariant violations')
    expect(lines.length).toBeLessThanOrEqual(1 + VIOLATIONS_PER_INVARIANT + 1 + 2 + BATCH_ROWS + 1)
    expect(lines).toContainEqual(expect.stringMatching(/… 9995 more ready-exactly-once violations \(--json lists every one\)$/))
    expect(lines[lines.length - 1]).toMatch(/^\+9980 more +39920 .*\(their sums; --json lists every batch\)$/)
  })
})
