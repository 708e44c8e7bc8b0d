import {describe, expect, it} from 'vitest'

import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../../../src/sim/scenario/builtin-scenarios.js'
import {STRATEGY_NAMES, type Strategy} from '../../../src/sim/scenario/strategy.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'
import {readiness, stateAt} from '../../../src/sim/lab/batch-state-at.js'

const simulate = (scenario: string, strategy: Strategy, seed = 1) =>
  runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy, seed})

type Handled = Extract<TraceEvent, {ev: 'handled'}>

const handled = (t: number, type: string, outcome: Handled['outcome'], emitted: string[] = []): TraceEvent => ({
  t,
  svc: 'els',
  ev: 'handled',
  type,
  partition: 0,
  offset: t,
  outcome,
  emitted: emitted as Handled['emitted'],
})

const indexOf = (trace: readonly TraceEvent[], match: (e: TraceEvent) => boolean): number => {
  const index = trace.findIndex(match)
  if (index < 0) throw new Error('no such event in the trace')
  return index
}

describe('stateAt', () => {
  it('before the first event knows no batch; past the end it is the final state', () => {
    // Given
    const {trace} = simulate('content-first', 'naive')

    // When
    const before = stateAt(trace, -1)
    const past = stateAt(trace, trace.length + 5)

    // Then
    expect(before).toEqual({index: -1, t: 0, batches: [], focus: undefined})
    expect(past).toEqual(stateAt(trace, trace.length - 1))
    expect(past.index).toBe(trace.length - 1)
  })

  it('follows the race under naive: registered at BOS, contents committed and published, ELS reports them excess', () => {
    // Given
    const {trace} = simulate('content-first', 'naive')
    const firstExcess = indexOf(trace, (e) => e.ev === 'handled' && e.outcome.kind === 'excess')
    const registration = indexOf(trace, (e) => e.ev === 'handled' && e.outcome.kind === 'registered')

    // When
    const atBos = stateAt(trace, 0).batches[0]
    const early = stateAt(trace, firstExcess)
    const end = stateAt(trace, registration).batches[0]

    // Then
    expect(atBos).toMatchObject({batchId: 'b1', bosRegistered: true, expected: 2, committed: 0, elsRegistered: false})
    expect(early.focus).toBe('b1')
    expect(early.batches[0]).toMatchObject({committed: 1, filesPublished: 1, registrationPublished: false, elsRegistered: false, excess: 1, ready: 0})
    expect(end).toMatchObject({uploads: 2, committed: 2, filesPublished: 2, registrationPublished: true, elsRegistered: true, slots: 2, assigned: 0, excess: 2, ready: 0})
    expect(readiness(end)).toBe('no')
  })

  it('follows the fix under buffer: early content is buffered, then the registration drains it and the batch is ready', () => {
    // Given
    const {trace} = simulate('content-first', 'buffer')
    const lastBuffered = trace.map((e) => e.ev === 'handled' && e.outcome.kind === 'buffered').lastIndexOf(true)
    const registration = indexOf(trace, (e) => e.ev === 'handled' && e.outcome.kind === 'registered')

    // When
    const buffered = stateAt(trace, lastBuffered).batches[0]
    const drained = stateAt(trace, registration).batches[0]

    // Then
    expect(buffered).toMatchObject({elsRegistered: false, buffered: 2, assigned: 0, excess: 0})
    expect(drained).toMatchObject({elsRegistered: true, buffered: 0, assigned: 2, excess: 0, ready: 1})
    expect(readiness(drained)).toBe('ready')
  })

  it('counts an early validation failure as failed when buffer drains it, and as lost under naive', () => {
    // Given / When
    const buffer = stateAt(simulate('validation-failure', 'buffer').trace, Infinity).batches[0]
    const naive = stateAt(simulate('validation-failure', 'naive').trace, Infinity).batches[0]

    // Then
    expect(buffer).toMatchObject({committed: 2, invalid: 1, failed: 1, assigned: 1, lost: 0, buffered: 0, ready: 1})
    expect(naive).toMatchObject({committed: 2, invalid: 1, failed: 0, lost: 1, ready: 0})
  })

  it.each(SCENARIO_NAMES.flatMap((scenario) => STRATEGY_NAMES.map((strategy) => [scenario, strategy] as const)))(
    'ends with the counts the checker reports: %s under %s',
    (scenario, strategy) => {
      // Given a run without faults (every row is published exactly once)
      const {result, trace} = simulate(scenario, strategy, 2)

      // When
      const final = stateAt(trace, trace.length - 1)

      // Then
      expect(final.batches.map(({batchId, expected, assigned, failed, excess, ready}) => ({batchId, expected, assigned, failed, excess, ready}))).toEqual(
        result.batches,
      )
      for (const batch of final.batches) expect(batch.buffered).toBe(0)
    },
  )

  it('maps published rows to their batch under partition-key, where content is keyed by batch id', () => {
    // Given
    const {trace} = simulate('content-first', 'partition-key')
    const published = indexOf(trace, (e) => e.ev === 'published' && e.type === TOPICS.essayContentProvisioned)

    // When
    const state = stateAt(trace, published)

    // Then
    expect(state.focus).toBe('b1')
    expect(state.batches[0].filesPublished).toBe(1)
  })

  it('counts a re-sent row once, an expired content as excess, and lists b2 before b10', () => {
    // Given
    const trace: TraceEvent[] = [
      {t: 1, svc: 'bos', ev: 'batch-registered', batch: 'b10', essays: 1, row: 1},
      {t: 2, svc: 'file', ev: 'file-committed', batch: 'b2', file: 'b2-f1', outcome: 'provisioned', row: 1},
      {t: 3, svc: 'file-relay', ev: 'published', type: TOPICS.essayContentProvisioned, key: 'b2-f1', row: 1, partition: 0, offset: 0, eventId: 'a'},
      {t: 4, svc: 'file-relay', ev: 'relay-crashed', row: 1, restartIn: 5},
      {t: 5, svc: 'file-relay', ev: 'published', type: TOPICS.essayContentProvisioned, key: 'b2-f1', row: 1, partition: 0, offset: 1, eventId: 'b'},
      handled(6, TOPICS.essayContentProvisioned, {kind: 'buffered', batchId: 'b2', ref: 'text-b2-f1'}),
      handled(7, TOPICS.essayContentProvisioned, {kind: 'duplicate', batchId: 'b2', why: 'text-b2-f1 is already buffered'}),
      {t: 8, svc: 'els', ev: 'expired', batch: 'b2', kind: 'content', ref: 'text-b2-f1'},
    ]

    // When
    const afterResend = stateAt(trace, 4)
    const afterCrash = stateAt(trace, 3)
    const buffered = stateAt(trace, 6)
    const expired = stateAt(trace, 7)

    // Then
    expect(afterResend.batches.map((b) => b.batchId)).toEqual(['b2', 'b10'])
    expect(afterResend.batches[0].filesPublished).toBe(1)
    expect(afterCrash.focus).toBe('b2')
    expect(buffered.batches[0]).toMatchObject({buffered: 1, excess: 0})
    expect(expired.batches[0]).toMatchObject({buffered: 0, expired: 1, excess: 1})
  })

  it('reports a batch made ready twice', () => {
    // Given
    const trace = [
      handled(1, TOPICS.batchEssaysRegistered, {kind: 'registered', batchId: 'b1', slots: 1, drained: 0}),
      handled(2, TOPICS.essayContentProvisioned, {kind: 'assigned', batchId: 'b1', essayId: 'b1-e1', textStorageId: 't1'}, [
        TOPICS.essaySlotAssigned,
        TOPICS.batchEssaysReady,
      ]),
      handled(3, TOPICS.essayValidationFailed, {kind: 'failure-counted', batchId: 'b1', fileUploadId: 'b1-f2'}, [TOPICS.batchEssaysReady]),
    ]

    // When
    const batch = stateAt(trace, 2).batches[0]

    // Then
    expect(batch).toMatchObject({assigned: 1, failed: 1, ready: 2})
    expect(readiness(batch)).toBe('READY x2')
  })
})
