import {describe, expect, it} from 'vitest'

import type {BusMessage} from '../../../src/sim/bus/bus.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {seconds} from '../../../src/sim/kernel/time.js'
import {ANSWER_WAIT, BlackBoxWatch} from '../../../src/sim/live/black-box-watch.js'

const record = (topic: string, data: object | string, headers: Record<string, string> = {}): BusMessage => ({
  topic,
  key: 'k',
  value: typeof data === 'string' ? data : JSON.stringify({event_id: 'x', event_type: topic, data}),
  headers,
  partition: 0,
  offset: 0,
  appendedAt: 0,
})

describe('BlackBoxWatch: which records are this run’s, and whether its consumer answered', () => {
  it('keeps this run’s batches and a malformed output record, leaves other runs’ out', () => {
    // Given
    const watch = new BlackBoxWatch('rabc-', {pendingTimeout: seconds(86_400)})
    // When / Then
    expect(watch.accept(record(TOPICS.batchEssaysRegistered, {batch_id: 'rabc-b1'}), 5)).toBe(true)
    expect(watch.accept(record(TOPICS.batchEssaysRegistered, {batch_id: 'rxyz-b1'}), 5)).toBe(false)
    expect(watch.accept(record(TOPICS.batchEssaysReady, {batch_id: 'b1'}), 6)).toBe(false)
    expect(watch.accept(record(TOPICS.batchEssaysReady, 'not json'), 7)).toBe(true)
    expect(watch.accept(record(TOPICS.essayContentProvisioned, 'not json'), 8)).toBe(false)
    // Only output records are answers
    expect(watch.answered).toBe(1)
    expect(watch.lastAnswerAt).toBe(7)
  })

  it('all answered: a Ready per complete batch, an assignment or excess per valid content', () => {
    // Given
    const watch = new BlackBoxWatch('r-', {pendingTimeout: seconds(86_400)})
    const batches = [{batchId: 'r-b1', expectedEssays: 2}]
    const uploads = [
      {batchId: 'r-b1', textStorageId: 'text-r-b1-f1', valid: true},
      {batchId: 'r-b1', textStorageId: undefined, valid: false},
    ]
    // When: the content is assigned, no Ready yet
    watch.accept(record(TOPICS.essaySlotAssigned, {batch_id: 'r-b1', text_storage_id: 'text-r-b1-f1'}, {outbox_row: 'els:1'}), 1)
    const before = watch.allAnswered(batches, uploads)
    watch.accept(record(TOPICS.batchEssaysReady, {batch_id: 'r-b1', ready_essays: []}), 2)
    // Then
    expect(before).toBe(false)
    expect(watch.allAnswered(batches, uploads)).toBe(true)
    expect(watch.rowsNamed).toBe(true)
  })

  it('waits for a short pending timeout’s expiries too, never a 24 h one', () => {
    expect(new BlackBoxWatch('r-', {pendingTimeout: seconds(5)}).wait).toBe(ANSWER_WAIT + seconds(5))
    expect(new BlackBoxWatch('r-', {pendingTimeout: seconds(86_400)}).wait).toBe(ANSWER_WAIT)
  })
})
