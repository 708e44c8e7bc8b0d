import {describe, expect, it} from 'vitest'

import type {BusMessage} from '../../../src/sim/bus/bus.js'
import {judge} from '../../../src/sim/check/checker.js'
import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {judgeInParts} from '../../../src/sim/check/judge-in-parts.js'
import type {Observation} from '../../../src/sim/check/observation.js'
import {readMessage} from '../../../src/sim/check/observe.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {SECOND} from '../../../src/sim/kernel/time.js'
import {OUTBOX_ROW_HEADER} from '../../../src/sim/services/relay.js'
import {ObservationBuilder, essayId, happyBatch, textId, uploadId} from './observation-builder.js'

/** The broker's records of an observation's messages, plus records that do not parse. */
function records(obs: Observation, unparsable: {topic: string; value: string}[] = []): BusMessage[] {
  const wire = obs.messages.map((m): BusMessage => ({
    topic: m.topic,
    key: m.envelope.data.batch_id,
    value: JSON.stringify(m.envelope),
    headers: m.row === undefined ? {} : ({[OUTBOX_ROW_HEADER]: m.row} as Record<string, string>),
    partition: m.partition,
    offset: m.offset,
    appendedAt: m.appendedAt,
  }))
  unparsable.forEach(({topic, value}, i) => wire.splice(2 * i + 1, 0, {topic, key: 'x', value, headers: {}, partition: 1, offset: i, appendedAt: 0}))
  return wire
}

/** The observation `observe` would make of those records: every message read as the judge reads it. */
function observedFrom(base: Observation, wire: readonly BusMessage[]): Observation {
  const read = wire.map(readMessage)
  return {...base, messages: read.flatMap((r) => (r.ok ? [r.message] : [])), malformed: read.flatMap((r) => (r.ok ? [] : [r.malformed]))}
}

/** A run with every kind of finding, several of them relating messages of different batches. */
function troubledRun(): {base: Observation; wire: BusMessage[]} {
  const b = new ObservationBuilder()
  for (const batch of ['b1', 'b2', 'b3', 'b4', 'b5']) happyBatch(b, batch, 2)
  // b6: registered, content uploaded, never ready; its second content was reported excess falsely.
  b.batch('b6', 2)
  b.registered('b6', [essayId('b6', 0), essayId('b6', 1)])
  for (const i of [0, 1]) {
    b.upload('b6', uploadId('b6', i), textId('b6', i))
    b.content('b6', uploadId('b6', i), textId('b6', i))
  }
  b.assigned('b6', essayId('b6', 0), uploadId('b6', 0), textId('b6', 0))
  b.excess('b6', textId('b6', 1))
  // b7's content fills a slot of b2 (slots-belong-to-batch, no-double-assignment across batches).
  b.batch('b7', 1)
  b.registered('b7', [essayId('b7', 0)])
  b.upload('b7', uploadId('b7', 0), textId('b7', 0))
  b.content('b7', uploadId('b7', 0), textId('b7', 0))
  b.assigned('b7', essayId('b2', 0), uploadId('b7', 0), textId('b7', 0))
  b.assigned('b7', essayId('b7', 0), uploadId('b7', 0), textId('b7', 0))
  b.ready('b7', [{essay_id: essayId('b7', 0), text_storage_id: textId('b3', 0)}])
  // Batch ids BOS never committed, sorted after BOS's: ready although never registered.
  b.upload('a-stray', uploadId('a-stray', 0), textId('a-stray', 0))
  b.ready('z-ghost', [])
  b.pending('m-pending', textId('m-pending', 0))
  b.tracker({batchId: 'b3', expected: 2, failed: 1})
  b.unpublished({service: 'els', rowId: 99, eventType: TOPICS.batchEssaysReady, aggregateId: 'b6', failedPublishes: 5, lastError: 'broker down'})
  b.livenessBound(SECOND)
  const built = b.build()
  // Rows named: b4's registration overtook b1's on the same partition (relay-commit-order), and
  // b5's was re-sent (one emission twice).
  const registrations = built.messages.filter((m) => m.topic === TOPICS.batchEssaysRegistered)
  registrations.forEach((m, i) => (m.row = `bos:${i + 1}`))
  registrations[0].row = 'bos:4'
  registrations[3].row = 'bos:1'
  built.messages.push({...registrations[4], offset: registrations.length})
  // b7's assignment of b2's slot was re-sent too: one emission, however often it is on the wire.
  const stolen = built.messages.find((m) => m.topic === TOPICS.essaySlotAssigned && m.envelope.data.batch_id === 'b7')!
  stolen.row = 'els:40'
  built.messages.push({...stolen, offset: 99})
  // b5's Ready was committed before its assignments (ready-after-assignments).
  const b5 = built.messages.filter((m) => m.envelope.data.batch_id === 'b5' && (m.topic === TOPICS.essaySlotAssigned || m.topic === TOPICS.batchEssaysReady))
  b5.forEach((m) => (m.row = m.topic === TOPICS.batchEssaysReady ? 'els:10' : `els:${11 + m.offset}`))
  // ELS's metrics say it buffered content it never buffered (metrics-agree).
  built.els.metrics = {reported: {pendingStored: 1, reconciled: {assigned: 0, excess: 0, failed: 0}, expired: 0, deadLettered: 0}, events: []}
  const wire = records(built, [{topic: TOPICS.batchEssaysReady, value: '{"data": {"batch_id": "b2"}}'}, {topic: TOPICS.essaySlotAssigned, value: 'not json'}])
  return {base: {...built, messages: [], malformed: [], unsettled: 'step-limit'}, wire}
}

describe('judgeInParts: a large run judged a few batches at a time', () => {
  it('finds what the whole judge finds, to the byte, however small the parts', () => {
    // Given a run whose findings span batches, as the whole judge sees it
    const {base, wire} = troubledRun()
    const whole = judge(observedFrom(base, wire))
    const found = new Set<InvariantName>(whole.violations.map((v) => v.invariant))
    // (the run trips every invariant these records can show)
    for (const name of ['ready-exactly-once', 'ready-when-complete', 'ready-after-assignments', 'metrics-agree', 'no-false-excess', 'no-lost-content', 'failures-counted-once', 'no-double-assignment', 'slots-belong-to-batch', 'messages-parse', 'relay-commit-order', 'outbox-drained', 'liveness'] as const) {
      expect(found, name).toContain(name)
    }

    for (const batchesPerPart of [1, 2, 3, 7, 1000]) {
      // When it is judged in parts
      const parted = judgeInParts(base, wire, batchesPerPart)
      // Then the verdict, every violation in its order, and every batch's counts are the same
      expect(parted, `${batchesPerPart} batches a part`).toEqual(whole)
    }
  })

  it('reads each record once and lets it go', () => {
    // Given the records of a run
    const {base, wire} = troubledRun()
    let reads = 0
    const once: Iterable<BusMessage> = {
      *[Symbol.iterator]() {
        for (const message of wire) {
          reads++
          yield message
        }
      },
    }
    // When
    const parted = judgeInParts(base, once, 2)
    // Then one pass read them all, and the judgement is the whole one
    expect(reads).toBe(wire.length)
    expect(parted).toEqual(judge(observedFrom(base, wire)))
  })

  it('passes a clean run with every batch counted', () => {
    // Given five happy batches
    const b = new ObservationBuilder()
    for (const batch of ['b1', 'b2', 'b3', 'b4', 'b5']) happyBatch(b, batch, 3)
    const built = b.build()
    const wire = records(built)
    // When
    const parted = judgeInParts({...built, messages: [], malformed: []}, wire, 2)
    // Then
    expect(parted.verdict).toBe('pass')
    expect(parted.batches.map((c) => [c.batchId, c.assigned, c.ready])).toEqual([1, 2, 3, 4, 5].map((i) => [`b${i}`, 3, 1]))
  })
})
