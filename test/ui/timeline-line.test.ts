import {describe, expect, it} from 'vitest'

import {TOPICS} from '../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../../src/sim/scenario/builtin-scenarios.js'
import {STRATEGY_NAMES} from '../../src/sim/services/els-strategy.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {formatTraceEvent, SERVICE_COLUMN} from '../../src/ui/timeline-line.js'

describe('formatTraceEvent', () => {
  it.each(SCENARIO_NAMES.flatMap((name) => STRATEGY_NAMES.map((strategy) => [name, strategy] as const)))(
    'gives one line per event (%s, %s)',
    (name, strategy) => {
      // Given a run's trace
      const {trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get(name)!, strategy, seed: 1})

      // When
      const lines = trace.map(formatTraceEvent)
      const text = lines.join('\n')

      // Then one non-empty line per event, each starting with its time and service column
      expect(lines.length).toBeGreaterThan(0)
      expect(text.split('\n')).toHaveLength(trace.length)
      lines.forEach((line, i) => {
        expect(line).not.toContain('\n')
        expect(line).toMatch(/^ *\d+\.\d{3}s {2}/)
        expect(line.slice(11, 11 + SERVICE_COLUMN).trimEnd()).toBe(trace[i].svc)
        expect(line.length).toBeGreaterThan(11 + SERVICE_COLUMN + 1)
      })
    },
  )

  const head = (t: string, svc: string): string => `${t.padStart(9)}  ${svc.padEnd(SERVICE_COLUMN)} `

  it.each<[TraceEvent, string]>([
    [
      {t: 119_000, svc: 'bos', ev: 'batch-registered', batch: 'b1', essays: 2, row: 1},
      `${head('0.119s', 'bos')}registered batch b1 (2 essays) + outbox row 1`,
    ],
    [
      {t: 138_000, svc: 'file', ev: 'upload-accepted', batch: 'b1', file: 'b1-f1'},
      `${head('0.138s', 'file')}accepted upload b1-f1, processing`,
    ],
    [
      {t: 0, svc: 'file', ev: 'upload-refused', batch: 'b9', file: 'b9-f1', reason: 'batch b9 is not registered at BOS'},
      `${head('0.000s', 'file')}REFUSED upload b9-f1: batch b9 is not registered at BOS`,
    ],
    [
      {t: 11_374_000, svc: 'file-relay', ev: 'publish-given-up', row: 24, attempts: 5, error: 'Connection error: connect ECONNREFUSED 127.0.0.1:1'},
      `${head('11.374s', 'file-relay')}GAVE UP row 24 after 5 failed publishes (Connection error: connect ECONNREFUSED 127.0.0.1:1): it stays unpublished`,
    ],
    [
      {t: 5_500_000, svc: 'file-relay', ev: 'broker-unreachable', error: 'Connection error: connect ECONNREFUSED 127.0.0.1:1'},
      `${head('5.500s', 'file-relay')}cannot reach the broker (Connection error: connect ECONNREFUSED 127.0.0.1:1): retrying with back-off; a row is given up after 5 failed publishes`,
    ],
    [{t: 6_000_000, svc: 'bos-relay', ev: 'broker-reachable'}, `${head('6.000s', 'bos-relay')}reached the broker again: publishing`],
    [
      {t: 207_000, svc: 'file', ev: 'file-committed', batch: 'b1', file: 'b1-f2', outcome: 'failed', row: 3},
      `${head('0.207s', 'file')}b1-f2 failed validation + outbox row 3`,
    ],
    [
      {
        t: 2_119_000,
        svc: 'bos-relay',
        ev: 'published',
        type: TOPICS.batchEssaysRegistered,
        key: 'b1',
        row: 1,
        partition: 2,
        offset: 0,
        eventId: 'x',
      },
      `${head('2.119s', 'bos-relay')}published BatchEssaysRegistered key=b1 -> p2@0`,
    ],
    [
      {
        t: 2_125_000,
        svc: 'els',
        ev: 'handled',
        type: TOPICS.batchEssaysRegistered,
        partition: 2,
        offset: 0,
        outcome: {kind: 'registered', batchId: 'b1', slots: 2, drained: 2},
        emitted: [TOPICS.essaySlotAssigned, TOPICS.batchEssaysReady],
      },
      `${head('2.125s', 'els')}BatchEssaysRegistered b1 (p2@0): created 2 slots, drained 2 pending  => EssaySlotAssigned, BatchEssaysReady`,
    ],
    [
      {
        t: 1_000,
        svc: 'els',
        ev: 'handled',
        type: 'some.topic',
        partition: 0,
        offset: 4,
        outcome: {kind: 'dead-lettered', error: 'not JSON: oops'},
        emitted: [],
      },
      `${head('0.001s', 'els')}some.topic ? (p0@4): dead-lettered: not JSON: oops`,
    ],
    [
      {t: 86_400_000_000, svc: 'els', ev: 'expired', batch: 'b1', kind: 'content', ref: 'text-b1-f1'},
      `${head('86400.000s', 'els')}text-b1-f1 EXPIRED from pending: batch b1 never registered`,
    ],
  ])('formats %j', (event, expected) => {
    // Given / When
    const line = formatTraceEvent(event)

    // Then
    expect(line).toBe(expected)
  })

  it('describes every ELS outcome kind', () => {
    // Given one handled event per outcome kind
    const outcomes: Extract<TraceEvent, {ev: 'handled'}>['outcome'][] = [
      {kind: 'already-registered', batchId: 'b1'},
      {kind: 'assigned', batchId: 'b1', essayId: 'b1-e1', textStorageId: 't1'},
      {kind: 'excess', batchId: 'b1', textStorageId: 't1', reason: 'NO_AVAILABLE_SLOT'},
      {kind: 'failure-counted', batchId: 'b1', fileUploadId: 'f1'},
      {kind: 'failure-lost', batchId: 'b1', fileUploadId: 'f1'},
      {kind: 'buffered', batchId: 'b1', ref: 't1'},
      {kind: 'duplicate', batchId: 'b1', why: 'seen'},
    ]

    // When
    const lines = outcomes.map((outcome) =>
      formatTraceEvent({t: 0, svc: 'els', ev: 'handled', type: TOPICS.essayContentProvisioned, partition: 1, offset: 2, outcome, emitted: []}),
    )

    // Then
    expect(lines.map((line) => line.split(': ').slice(1).join(': '))).toEqual([
      'already registered: no-op',
      't1 -> slot b1-e1',
      't1 reported EXCESS (NO_AVAILABLE_SLOT)',
      'failure of f1 counted',
      'failure of f1 DROPPED: batch unknown',
      't1 buffered as pending: batch unknown',
      'duplicate: seen',
    ])
    for (const line of lines) expect(line).toContain('EssayContentProvisioned b1 (p1@2)')
  })
})
