import {describe, expect, it} from 'vitest'

import {envelopeJson, eventIdOf, withEventId} from '../../../src/sim/domain/envelope.js'
import {parseEnvelope, type EventType} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {ALL_TOPICS} from '../../../src/sim/domain/topics.js'
import {seconds} from '../../../src/sim/kernel/time.js'
import {SAMPLE_DATA} from './samples.js'

const EVENT_ID = '0000002a-0000-4000-8000-000000000007'
const OTHER_ID = '0000002a-0000-4000-8000-0000000000ff'
const TOPICS_FIRST = ALL_TOPICS[0] as EventType

function sampleJson(type: EventType, eventId = EVENT_ID): string {
  return envelopeJson(type, SAMPLE_DATA[type] as never, {
    eventId,
    at: seconds(1.5),
    source: 'els',
    correlationId: 'corr-b1',
  })
}

describe('envelopeJson', () => {
  it.each(ALL_TOPICS)('produces an envelope that parseEnvelope accepts for %s', (type) => {
    // Given a valid payload for this event type
    const data = SAMPLE_DATA[type as EventType]

    // When
    const parsed = parseEnvelope(sampleJson(type as EventType))

    // Then every envelope field is there and the payload survives unchanged
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.envelope).toEqual({
      event_id: EVENT_ID,
      event_type: type,
      event_timestamp: '2026-01-01T00:00:01.500Z',
      source_service: 'els',
      schema_version: 1,
      correlation_id: 'corr-b1',
      data,
    })
  })

  it('puts event_id first, so the id can be swapped without parsing', () => {
    // Given / When
    const json = sampleJson(TOPICS_FIRST)

    // Then
    expect(json.startsWith(`{"event_id":"${EVENT_ID}",`)).toBe(true)
  })

  it('stamps the virtual time as ISO-8601 UTC from a fixed epoch', () => {
    // Given an envelope at 0 and one a day later
    const at0 = JSON.parse(sampleJson(TOPICS_FIRST)) as {event_timestamp: string}
    const later = JSON.parse(
      envelopeJson(TOPICS_FIRST, SAMPLE_DATA[TOPICS_FIRST], {
        eventId: EVENT_ID,
        at: seconds(86_400),
        source: 'bos',
        correlationId: 'c',
      }),
    ) as {event_timestamp: string}

    // Then
    expect(at0.event_timestamp).toBe('2026-01-01T00:00:01.500Z')
    expect(later.event_timestamp).toBe('2026-01-02T00:00:00.000Z')
  })
})

describe('withEventId / eventIdOf', () => {
  it('eventIdOf reads the event_id of an envelope', () => {
    // Given / When / Then
    expect(eventIdOf(sampleJson(TOPICS_FIRST))).toBe(EVENT_ID)
  })

  it.each(ALL_TOPICS)('withEventId replaces only the event_id (%s)', (type) => {
    // Given an envelope
    const original = sampleJson(type as EventType)

    // When
    const swapped = withEventId(original, OTHER_ID)

    // Then the id changed and everything else is identical
    expect(eventIdOf(swapped)).toBe(OTHER_ID)
    expect(swapped).toBe(sampleJson(type as EventType, OTHER_ID))
    const a = JSON.parse(original) as Record<string, unknown>
    const b = JSON.parse(swapped) as Record<string, unknown>
    expect(b.event_id).toBe(OTHER_ID)
    expect({...b, event_id: EVENT_ID}).toEqual(a)
    expect(parseEnvelope(swapped).ok).toBe(true)
  })

  it('works with ids from IdSource', () => {
    // Given
    const ids = new IdSource(77)
    const json = sampleJson(TOPICS_FIRST, ids.eventId())
    const next = ids.eventId()

    // When
    const swapped = withEventId(json, next)

    // Then
    expect(eventIdOf(swapped)).toBe(next)
    expect(parseEnvelope(swapped).ok).toBe(true)
  })
})
