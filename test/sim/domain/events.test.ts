import {describe, expect, it} from 'vitest'

import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import {parseEnvelope, SHORT_NAME, type EventType} from '../../../src/sim/domain/events.js'
import {ALL_TOPICS, TOPICS} from '../../../src/sim/domain/topics.js'
import {SAMPLE_DATA} from './samples.js'

const EVENT_ID = '00000001-0000-4000-8000-000000000001'

/** An envelope as plain JSON, open to mutation. */
type Raw = Record<string, unknown> & {data?: Record<string, unknown>}

function validEnvelope(type: EventType = TOPICS.batchEssaysRegistered): Raw {
  return JSON.parse(
    envelopeJson(type, SAMPLE_DATA[type] as never, {eventId: EVENT_ID, at: 0, source: 'bos', correlationId: 'c'}),
  ) as Raw
}

function errorOf(value: string): string {
  const parsed = parseEnvelope(value)
  if (parsed.ok) throw new Error(`expected a parse error for ${value}`)
  return parsed.error
}

describe('parseEnvelope', () => {
  it('rejects text that is not JSON with a "not JSON" error', () => {
    // Given / When
    const parsed = parseEnvelope('{"event_id": ')

    // Then
    expect(parsed.ok).toBe(false)
    expect(errorOf('{"event_id": ')).toMatch(/^not JSON: /)
    expect(errorOf('')).toMatch(/^not JSON: /)
  })

  it.each([['[]'], ['null'], ['42'], ['"text"']])('rejects JSON %s that is not an object, naming the envelope', (value) => {
    // Given / When
    const error = errorOf(value)

    // Then
    expect(error).toMatch(/^envelope: /)
  })

  it.each([
    ['a payload field of the wrong type', (e: Raw) => (e.data!.batch_id = 3), /^data\.batch_id: .*string/],
    ['a missing event_id', (e: Raw) => delete e.event_id, /^event_id: /],
    ['an event_id that is not a uuid', (e: Raw) => (e.event_id = 'evt-1'), /^event_id: .*UUID/i],
    ['an unknown event_type', (e: Raw) => (e.event_type = 'huleedu.unknown.v1'), /^event_type: /],
    ['schema_version 2', (e: Raw) => (e.schema_version = 2), /^schema_version: /],
    ['a non-positive essay count', (e: Raw) => (e.data!.expected_essay_count = 0), /^data\.expected_essay_count: /],
    ['a missing payload field', (e: Raw) => delete e.data!.essay_ids, /^data\.essay_ids: /],
    ['an essay id that is not a string', (e: Raw) => (e.data!.essay_ids = ['a', 5]), /^data\.essay_ids\.1: /],
    ['metadata that is not an object', (e: Raw) => (e.metadata = 'x'), /^metadata: /],
    ['a missing data object', (e: Raw) => delete e.data, /^data: /],
  ])('rejects %s with a readable error naming the field', (_what, mutate, expected) => {
    // Given a valid envelope with one defect
    const envelope = validEnvelope()
    mutate(envelope)

    // When
    const error = errorOf(JSON.stringify(envelope))

    // Then
    expect(error).toMatch(expected)
  })

  it('rejects a payload that belongs to another event type', () => {
    // Given a content envelope carrying a registration payload
    const envelope = validEnvelope(TOPICS.essayContentProvisioned)
    envelope.data = SAMPLE_DATA[TOPICS.batchEssaysRegistered]

    // When
    const error = errorOf(JSON.stringify(envelope))

    // Then
    expect(error).toMatch(/^data\./)
  })

  it('rejects an unknown validation error code and an unknown excess reason', () => {
    // Given
    const failed = validEnvelope(TOPICS.essayValidationFailed)
    failed.data!.validation_error_code = 'TOO_BORING'
    const excess = validEnvelope(TOPICS.excessContentProvisioned)
    excess.data!.reason = 'BECAUSE'

    // When / Then
    expect(errorOf(JSON.stringify(failed))).toMatch(/^data\.validation_error_code: /)
    expect(errorOf(JSON.stringify(excess))).toMatch(/^data\.reason: /)
  })

  it('accepts an optional metadata object', () => {
    // Given
    const envelope = {...validEnvelope(), metadata: {trace: 'abc', n: 1}}

    // When
    const parsed = parseEnvelope(JSON.stringify(envelope))

    // Then
    expect(parsed.ok).toBe(true)
    if (parsed.ok) expect(parsed.envelope.metadata).toEqual({trace: 'abc', n: 1})
  })
})

describe('SHORT_NAME', () => {
  it('has a short name for every topic', () => {
    // Given / When
    const names = ALL_TOPICS.map((topic) => SHORT_NAME[topic as EventType])

    // Then
    expect(names).toEqual([
      'BatchEssaysRegistered',
      'EssayContentProvisioned',
      'EssayValidationFailed',
      'ExcessContentProvisioned',
      'BatchEssaysReady',
      'EssaySlotAssigned',
    ])
  })
})
