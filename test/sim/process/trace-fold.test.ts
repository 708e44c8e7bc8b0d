import {describe, expect, it} from 'vitest'

import type {EventType} from '../../../src/sim/domain/events.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {TraceFold} from '../../../src/sim/process/trace-fold.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const published = (t: number, svc: string, row: number, type: EventType = TOPICS.essayContentProvisioned): TraceEvent => ({
  t,
  svc,
  ev: 'published',
  type,
  key: 'k',
  row,
  partition: 0,
  offset: row,
  eventId: `e${t}`,
})

describe('TraceFold', () => {
  it('folds what the judge reads: commits, rows published for good, the last recovery, the consumer events', () => {
    // Given a relay that publishes row 1, crashes on it after the ack, and sends it again
    const trace: TraceEvent[] = [
      {t: 1, svc: 'bos', ev: 'batch-registered', batch: 'b1', essays: 1, row: 1},
      {t: 2, svc: 'file', ev: 'file-committed', batch: 'b1', file: 'f1', outcome: 'provisioned', row: 1},
      published(3, 'file-relay', 1),
      {t: 4, svc: 'file-relay', ev: 'relay-crashed', row: 1, restartIn: 10},
      published(20, 'file-relay', 1),
      published(21, 'bos-relay', 1, TOPICS.batchEssaysRegistered),
      {t: 22, svc: 'els', ev: 'els-restarted', restartIn: 5},
      {t: 30, svc: 'els', ev: 'handled', type: TOPICS.essayContentProvisioned, partition: 0, offset: 0, outcome: {kind: 'pending'} as never, emitted: []},
    ]
    // When
    const fold = TraceFold.of(trace)
    // Then
    expect(fold.events).toBe(8)
    expect(fold.lastAt).toBe(30)
    expect(fold.healedAt).toBe(27)
    expect(fold.commitTimes(['bos'])).toEqual([1])
    expect(fold.commitTimes(['file'])).toEqual([2])
    expect(fold.commitTimes(['bos', 'file'])).toEqual([1, 2])
    expect(fold.markTimes('file-relay')).toEqual([20])
    expect(fold.markTimes('bos-relay')).toEqual([21])
    expect(fold.markTimes('els-relay')).toEqual([])
    expect(fold.consumerEvents.map((e) => e.ev)).toEqual(['els-restarted', 'handled'])
  })

  it('reduces the consumer events to what the metrics check reads, and keeps them whole only when asked', () => {
    // Given a restart, a registration that drained two rows, an expiry and a failed handling
    const trace: TraceEvent[] = [
      {t: 1, svc: 'els-2', ev: 'els-restarted', restartIn: 5},
      {t: 2, svc: 'els-1', ev: 'handled', type: TOPICS.batchEssaysRegistered, partition: 0, offset: 0, outcome: {kind: 'registered', batchId: 'b1', slots: 2, drained: 2}, emitted: [TOPICS.essaySlotAssigned, TOPICS.excessContentProvisioned]},
      {t: 3, svc: 'els', ev: 'expired', batch: 'b2', kind: 'content', ref: 'text-b2-f1'},
      {t: 4, svc: 'els-1', ev: 'handle-failed', type: TOPICS.essayContentProvisioned, partition: 0, offset: 1, error: 'boom', retryIn: 3},
    ]
    // When it is folded with the whole events and without them
    const whole = TraceFold.of(trace)
    const reduced = new TraceFold({consumerEvents: false})
    for (const event of trace) reduced.add(event)
    // Then both reduce alike; only the first keeps the events whole
    const expected = [
      {svc: 'els-2', kind: 'reset'},
      {svc: 'els-1', kind: 'handled', outcome: 'registered', drained: 2, emitted: [TOPICS.essaySlotAssigned, TOPICS.excessContentProvisioned]},
      {svc: 'els', kind: 'expired'},
    ]
    expect(whole.metricEvents).toEqual(expected)
    expect(reduced.metricEvents).toEqual(expected)
    expect(whole.consumerEvents.map((e) => e.ev)).toEqual(['els-restarted', 'handled', 'expired', 'handle-failed'])
    expect(reduced.consumerEvents).toEqual([])
    expect(reduced.healedAt).toBe(whole.healedAt)
  })

  it('shares one metric event among the handlings of a service and outcome that drained nothing', () => {
    // Given two buffered contents and an assignment on els-1, a buffered content on els-2, and a draining registration
    const handled = (t: number, svc: string, outcome: object, emitted: EventType[]): TraceEvent =>
      ({t, svc, ev: 'handled', type: TOPICS.essayContentProvisioned, partition: 0, offset: t, outcome, emitted}) as never
    const fold = TraceFold.of([
      handled(1, 'els-1', {kind: 'buffered'}, []),
      handled(2, 'els-1', {kind: 'buffered'}, []),
      handled(3, 'els-2', {kind: 'buffered'}, []),
      handled(4, 'els-1', {kind: 'assigned'}, [TOPICS.essaySlotAssigned]),
      handled(5, 'els-1', {kind: 'registered', batchId: 'b1', slots: 1, drained: 1}, [TOPICS.essaySlotAssigned]),
    ])
    // When
    const [first, second, other, assigned, drained] = fold.metricEvents
    // Then the check reads every one of them, in order
    expect(fold.metricEvents.map((e) => (e.kind === 'handled' ? `${e.svc} ${e.outcome}` : e.kind))).toEqual([
      'els-1 buffered',
      'els-1 buffered',
      'els-2 buffered',
      'els-1 assigned',
      'els-1 registered',
    ])
    // And the two alike are one object, the other service's and outcome's are their own
    expect(second).toBe(first)
    expect(other).not.toBe(first)
    expect(assigned).not.toBe(first)
    // And only the drain keeps what it emitted, which the check counts
    expect(assigned).toMatchObject({drained: 0, emitted: []})
    expect(drained).toEqual({svc: 'els-1', kind: 'handled', outcome: 'registered', drained: 1, emitted: [TOPICS.essaySlotAssigned]})
  })

  it('keeps two services’ rows of the same id apart', () => {
    // Given the coordinated relay publishing BOS's row 1 and the File Service's row 1
    const fold = new TraceFold()
    // When
    fold.add(published(5, 'coordinated-relay', 1, TOPICS.batchEssaysRegistered))
    fold.add(published(6, 'coordinated-relay', 1))
    // Then
    expect(fold.markTimes('coordinated-relay')).toEqual([5, 6])
  })
})
