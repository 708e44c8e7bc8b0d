import {describe, expect, it} from 'vitest'

import {check} from '../../../src/sim/check/checker.js'
import type {InvariantName, Violation} from '../../../src/sim/check/invariant.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {seconds} from '../../../src/sim/kernel/time.js'
import {ObservationBuilder, essayId, happyBatch, textId, uploadId} from './observation-builder.js'

const of = (violations: Violation[], name: InvariantName): Violation[] =>
  violations.filter((v) => v.invariant === name)

/** Uploads `n` valid files to a batch and publishes their content events; returns the event ids. */
function uploadContent(b: ObservationBuilder, batchId: string, from: number, to: number): string[] {
  const ids: string[] = []
  for (let i = from; i < to; i++) {
    b.upload(batchId, uploadId(batchId, i), textId(batchId, i))
    ids.push(b.content(batchId, uploadId(batchId, i), textId(batchId, i)))
  }
  return ids
}

describe('ready-exactly-once', () => {
  it('holds for a batch with too few files that never became ready', () => {
    // Given 1 of 2 files uploaded and assigned
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    uploadContent(b, 'batch-a', 0, 1)
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.tracker({batchId: 'batch-a', expected: 2, assigned: 1})

    // When
    const violations = check(b.build())

    // Then
    expect(violations).toEqual([])
  })

  it('fails when a batch whose files all arrived never became ready (content before registration)', () => {
    // Given the naive strategy: both contents arrive before registration and are reported excess
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    uploadContent(b, 'batch-a', 0, 2)
    b.excess('batch-a', textId('batch-a', 0))
    b.excess('batch-a', textId('batch-a', 1))
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    b.tracker({batchId: 'batch-a', expected: 2})

    // When
    const violations = of(check(b.build()), 'ready-exactly-once')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain('never became ready: assigned 0 + failed 0 of 2 expected')
    expect(violations[0].events).toEqual([])
  })

  it('fails when a batch became ready twice, naming both events', () => {
    // Given a redelivered content event after completion published the completion again
    const b = new ObservationBuilder()
    const {essayIds} = happyBatch(b, 'batch-a', 1)
    const first = b.build().messages.find((m) => m.envelope.event_type === TOPICS.batchEssaysReady)
    const second = b.ready('batch-a', [{essay_id: essayIds[0], text_storage_id: textId('batch-a', 0)}])

    // When
    const violations = of(check(b.build()), 'ready-exactly-once')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain('became ready 2 times')
    expect(violations[0].events).toEqual([first?.envelope.event_id, second])
  })

  it('fails when a batch became ready before all its files were uploaded', () => {
    // Given 1 of 2 files, yet a ready event
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    uploadContent(b, 'batch-a', 0, 1)
    const ready = b.ready('batch-a', [])

    // When
    const violations = of(check(b.build()), 'ready-exactly-once')

    // Then
    expect(violations).toEqual([
      {
        invariant: 'ready-exactly-once',
        batchId: 'batch-a',
        detail: 'became ready 1 time although only 1 of 2 expected files were uploaded',
        events: [ready],
      },
    ])
  })
})

describe('no-false-excess', () => {
  it('holds when the one extra file of a batch is reported excess, even if the report is re-sent', () => {
    // Given 3 files for 2 slots: two assigned, the third excess (published twice by the relay)
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 2)
    uploadContent(b, 'batch-a', 2, 3)
    b.excess('batch-a', textId('batch-a', 2))
    b.excess('batch-a', textId('batch-a', 2))

    // When
    const violations = check(b.build())

    // Then
    expect(violations).toEqual([])
  })

  it('fails for every excess beyond the extra files, naming the falsely excess content', () => {
    // Given 3 files for 2 slots, but 2 contents reported NO_AVAILABLE_SLOT
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    uploadContent(b, 'batch-a', 0, 3)
    b.excess('batch-a', textId('batch-a', 0))
    const falseExcess = b.excess('batch-a', textId('batch-a', 1))
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 2), textId('batch-a', 2))

    // When
    const violations = of(check(b.build()), 'no-false-excess')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain('only 1 allowed (3 files for 2 slots)')
    expect(violations[0].detail).toContain(`falsely excess: ${textId('batch-a', 1)}`)
    expect(violations[0].events).toEqual([falseExcess])
  })

  it('fails when content of a batch BOS committed is expired as BATCH_NEVER_REGISTERED', () => {
    // Given a registered batch whose content was nonetheless expired from the buffer
    const b = new ObservationBuilder()
    b.batch('batch-a', 1)
    uploadContent(b, 'batch-a', 0, 1)
    const expired = b.excess('batch-a', textId('batch-a', 0), 'BATCH_NEVER_REGISTERED')

    // When
    const violations = of(check(b.build()), 'no-false-excess')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain(
      `BATCH_NEVER_REGISTERED) although BOS committed the batch: ${textId('batch-a', 0)}`,
    )
    expect(violations[0].events).toEqual([expired])
  })

  it('holds when content of a batch BOS never committed is expired as BATCH_NEVER_REGISTERED', () => {
    // Given a content event for an unknown batch, expired after the timeout
    const b = new ObservationBuilder()
    b.content('batch-ghost', 'upload-1', 'text-1')
    b.excess('batch-ghost', 'text-1', 'BATCH_NEVER_REGISTERED', seconds(86_400))

    // When
    const violations = check(b.build())

    // Then
    expect(violations).toEqual([])
  })
})

describe('no-lost-content', () => {
  it('holds when every content is assigned or reported excess and every failure counted', () => {
    // Given one assigned, one invalid (counted) and one extra file reported excess
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 1, 1)
    uploadContent(b, 'batch-a', 2, 3)
    b.excess('batch-a', textId('batch-a', 2))

    // When
    const violations = check(b.build())

    // Then
    expect(of(violations, 'no-lost-content')).toEqual([])
  })

  it('does not call content silently dropped when ELS kept an unpublished row (its report may be stuck there)', () => {
    // Given the second file neither assigned nor reported, and ELS's relay gave up on a row
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    uploadContent(b, 'batch-a', 0, 2)
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.tracker({batchId: 'batch-a', expected: 2, assigned: 1})
    b.unpublished({service: 'els', rowId: 4, eventType: TOPICS.essaySlotAssigned, aggregateId: essayId('batch-a', 1)})

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].detail).not.toContain('silently')
    expect(violations[0].detail).toContain("ELS's outbox kept 1 unpublished row: see outbox-drained")
  })

  it('says content never reached ELS when the File Service kept its row unpublished (the relay gave it up)', () => {
    // Given the second file committed, its content row given up by the File Service's relay
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    uploadContent(b, 'batch-a', 0, 1)
    b.upload('batch-a', uploadId('batch-a', 1), textId('batch-a', 1))
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.tracker({batchId: 'batch-a', expected: 2, assigned: 1})
    b.unpublished({service: 'file', rowId: 2, eventType: TOPICS.essayContentProvisioned, aggregateId: 'batch-a', failedPublishes: 5, lastError: 'down'})

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].detail).toBe(
      `1 content never reached ELS (the File Service's outbox kept 1 unpublished row of this batch: see outbox-drained): ${textId('batch-a', 1)} (upload ${uploadId('batch-a', 1)})`,
    )
  })

  it('fails for content that was neither assigned nor reported excess', () => {
    // Given 2 files, only the first assigned; the second silently dropped
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    const [, dropped] = uploadContent(b, 'batch-a', 0, 2)
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.tracker({batchId: 'batch-a', expected: 2, assigned: 1})

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain(`silently dropped`)
    expect(violations[0].detail).toContain(`${textId('batch-a', 1)} (upload ${uploadId('batch-a', 1)})`)
    expect(violations[0].events).toEqual([dropped])
  })

  it('fails for rows left in pending_content at the end of the run', () => {
    // Given content buffered just after registration read the pending list (orphaned)
    const b = new ObservationBuilder()
    b.batch('batch-a', 1)
    b.registered('batch-a', [essayId('batch-a', 0)])
    const [content] = uploadContent(b, 'batch-a', 0, 1)
    b.pending('batch-a', textId('batch-a', 0), 'content', seconds(1))
    b.tracker({batchId: 'batch-a', expected: 1})
    b.endedAt(seconds(4))

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toContain('1 row left in pending_content')
    expect(violations[0].detail).toContain('oldest stored 3.000s before the end')
    expect(violations[0].detail).toContain(`content ${textId('batch-a', 0)}`)
    expect(violations[0].events).toEqual([content])
  })

  it('fails when the tracker counted fewer failures than there were invalid uploads', () => {
    // Given an early validation failure dropped before registration
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.upload('batch-a', uploadId('batch-a', 0), undefined)
    const failure = b.validationFailed('batch-a', uploadId('batch-a', 0))
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    uploadContent(b, 'batch-a', 1, 2)
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 1), textId('batch-a', 1))
    b.tracker({batchId: 'batch-a', expected: 2, assigned: 1, failed: 0})

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toBe('1 validation failure lost: tracker counts 0 failed of 1 invalid upload')
    expect(violations[0].events).toEqual([failure])
  })

  it('fails when a registered batch with uploads has no tracker at all: the content left pending', () => {
    // Given registration never reached ELS; the content is still buffered
    const b = new ObservationBuilder()
    b.batch('batch-a', 1)
    uploadContent(b, 'batch-a', 0, 1)
    b.pending('batch-a', textId('batch-a', 0))

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations.map((v) => v.batchId)).toEqual(['batch-a'])
    expect(violations[0].detail).toContain('left in pending_content')
  })

  it('fails when a registered batch without a tracker had validation failures nobody counted', () => {
    // Given registration never reached ELS and one upload failed validation
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    uploadContent(b, 'batch-a', 0, 1)
    b.upload('batch-a', uploadId('batch-a', 1), undefined)

    // When
    const violations = of(check(b.build()), 'no-lost-content')

    // Then
    expect(violations.some((v) => v.detail.includes('ELS has no tracker for this registered batch'))).toBe(true)
  })
})

describe('no-double-assignment', () => {
  it('holds when the same assignment is published twice (relay duplicate)', () => {
    // Given the relay re-sent an EssaySlotAssigned with a new event_id
    const b = new ObservationBuilder()
    const {essayIds} = happyBatch(b, 'batch-a', 1)
    b.assigned('batch-a', essayIds[0], uploadId('batch-a', 0), textId('batch-a', 0))

    // When
    const violations = check(b.build())

    // Then
    expect(of(violations, 'no-double-assignment')).toEqual([])
  })

  it('fails when one content fills two slots (dedup by event_id only)', () => {
    // Given a re-sent content event with a new event_id, assigned to a second slot
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    b.registered('batch-a', [essayId('batch-a', 0), essayId('batch-a', 1)])
    uploadContent(b, 'batch-a', 0, 1)
    b.content('batch-a', uploadId('batch-a', 0), textId('batch-a', 0))
    const first = b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    const second = b.assigned('batch-a', essayId('batch-a', 1), uploadId('batch-a', 0), textId('batch-a', 0))

    // When
    const violations = of(check(b.build()), 'no-double-assignment')

    // Then
    expect(violations).toEqual([
      {
        invariant: 'no-double-assignment',
        batchId: 'batch-a',
        detail: `content ${textId('batch-a', 0)} fills 2 slots: ${essayId('batch-a', 0)}, ${essayId('batch-a', 1)}`,
        events: [first, second],
      },
    ])
  })

  it('fails when one slot holds two contents', () => {
    // Given two instances both claimed slot 0 for different content
    const b = new ObservationBuilder()
    b.batch('batch-a', 2)
    uploadContent(b, 'batch-a', 0, 2)
    const first = b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    const second = b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 1), textId('batch-a', 1))

    // When
    const violations = of(check(b.build()), 'no-double-assignment')

    // Then
    expect(violations).toHaveLength(1)
    expect(violations[0].batchId).toBe('batch-a')
    expect(violations[0].detail).toBe(
      `slot ${essayId('batch-a', 0)} holds 2 contents: ${textId('batch-a', 0)}, ${textId('batch-a', 1)}`,
    )
    expect(violations[0].events).toEqual([first, second])
  })
})

describe('outbox-drained', () => {
  it('holds when every outbox row was published', () => {
    // Given
    const b = new ObservationBuilder()
    happyBatch(b, 'batch-a', 1)

    // When
    const violations = check(b.build())

    // Then
    expect(of(violations, 'outbox-drained')).toEqual([])
  })

  it('fails for each row never published, naming service, row and event type', () => {
    // Given BOS's registration row stuck in its outbox
    const b = new ObservationBuilder()
    b.unpublished({service: 'bos', rowId: 7, eventType: TOPICS.batchEssaysRegistered, aggregateId: 'batch-a'})

    // When
    const violations = of(check(b.build()), 'outbox-drained')

    // Then
    expect(violations).toEqual([
      {
        invariant: 'outbox-drained',
        batchId: 'batch-a',
        detail: `bos outbox row 7 (${TOPICS.batchEssaysRegistered}) was never published`,
        events: [],
      },
    ])
  })
})

describe('liveness', () => {
  it('holds when a batch is ready exactly at the bound after its last input', () => {
    // Given the last upload at 1 s, ready at 3 s, bound 2 s
    const b = new ObservationBuilder().livenessBound(seconds(2))
    b.batch('batch-a', 1, 0)
    b.registered('batch-a', [essayId('batch-a', 0)])
    b.upload('batch-a', uploadId('batch-a', 0), textId('batch-a', 0), seconds(1))
    b.content('batch-a', uploadId('batch-a', 0), textId('batch-a', 0))
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.ready('batch-a', [{essay_id: essayId('batch-a', 0), text_storage_id: textId('batch-a', 0)}], seconds(3))
    b.tracker({batchId: 'batch-a', expected: 1, assigned: 1, readyAt: seconds(3)})

    // When
    const violations = check(b.build())

    // Then
    expect(violations).toEqual([])
  })

  it('fails when a batch is ready later than the bound, with the figures in seconds', () => {
    // Given the last upload at 1 s, ready at 3.5 s, bound 2 s
    const b = new ObservationBuilder().livenessBound(seconds(2))
    b.batch('batch-a', 1, 0)
    b.upload('batch-a', uploadId('batch-a', 0), textId('batch-a', 0), seconds(1))
    b.content('batch-a', uploadId('batch-a', 0), textId('batch-a', 0))
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    const ready = b.ready('batch-a', [], seconds(3.5))
    b.tracker({batchId: 'batch-a', expected: 1, assigned: 1, readyAt: seconds(3.5)})

    // When
    const violations = of(check(b.build()), 'liveness')

    // Then
    expect(violations).toEqual([
      {
        invariant: 'liveness',
        batchId: 'batch-a',
        detail: 'ready 2.500s after its last input (at 1.000s), at 3.500s; bound 2.000s (no relay; ELS 0 messages × 0.000s; 2.000s slack)',
        events: [ready],
      },
    ])
  })

  it('judges only from the moment the last fault healed: a batch delayed by faults passes if it converged in time after them', () => {
    // Given the last upload at 1 s, the last fault healed at 10 s, ready at 11.5 s, bound 2 s
    const b = new ObservationBuilder().livenessBound(seconds(2), seconds(10))
    b.batch('batch-a', 1, 0)
    b.upload('batch-a', uploadId('batch-a', 0), textId('batch-a', 0), seconds(1))
    b.content('batch-a', uploadId('batch-a', 0), textId('batch-a', 0))
    b.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    b.ready('batch-a', [{essay_id: essayId('batch-a', 0), text_storage_id: textId('batch-a', 0)}], seconds(11.5))
    b.tracker({batchId: 'batch-a', expected: 1, assigned: 1, readyAt: seconds(11.5)})
    const late = new ObservationBuilder().livenessBound(seconds(2), seconds(10))
    late.batch('batch-a', 1, 0)
    late.upload('batch-a', uploadId('batch-a', 0), textId('batch-a', 0), seconds(1))
    late.content('batch-a', uploadId('batch-a', 0), textId('batch-a', 0))
    late.assigned('batch-a', essayId('batch-a', 0), uploadId('batch-a', 0), textId('batch-a', 0))
    late.ready('batch-a', [{essay_id: essayId('batch-a', 0), text_storage_id: textId('batch-a', 0)}], seconds(12.5))
    late.tracker({batchId: 'batch-a', expected: 1, assigned: 1, readyAt: seconds(12.5)})

    // When
    const violations = of(check(b.build()), 'liveness')
    const lateViolations = of(check(late.build()), 'liveness')

    // Then
    expect(violations).toEqual([])
    expect(lateViolations.map((v) => v.detail)).toEqual([
      'ready 2.500s after the last fault healed (at 10.000s; last input at 1.000s), at 12.500s; bound 2.000s (no relay; ELS 0 messages × 0.000s; 2.000s slack)',
    ])
  })

  it('leaves batches that never became ready to ready-exactly-once', () => {
    // Given a complete batch that is never ready, long after the bound
    const b = new ObservationBuilder().livenessBound(seconds(2))
    b.batch('batch-a', 1, 0)
    uploadContent(b, 'batch-a', 0, 1)
    b.excess('batch-a', textId('batch-a', 0))
    b.tracker({batchId: 'batch-a', expected: 1})
    b.endedAt(seconds(60))

    // When
    const violations = check(b.build())

    // Then
    expect(of(violations, 'liveness')).toEqual([])
    expect(of(violations, 'ready-exactly-once').map((v) => v.batchId)).toEqual(['batch-a'])
  })
})
