import {describe, expect, it} from 'vitest'

import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import {envelopeSchema, excessReason, validationErrorCode, type EventType} from '../../../src/sim/domain/events.js'
import {handCheckedEnvelope} from '../../../src/sim/domain/hand-checked-envelope.js'
import {SAMPLE_DATA} from './samples.js'

const EVENT_ID = '123e4567-e89b-42d3-a456-426614174000'
const envelopeOf = (type: EventType): Record<string, unknown> =>
  JSON.parse(envelopeJson(type, SAMPLE_DATA[type] as never, {eventId: EVENT_ID, at: 1_500_000, source: 'file', correlationId: 'corr-b1'}))

/** zod's answer, as JSON (key order included), or undefined when zod rejects. */
const zodSays = (value: unknown): string | undefined => {
  const parsed = envelopeSchema.safeParse(value)
  return parsed.success ? JSON.stringify(parsed.data) : undefined
}

/** Every way of breaking one field of `value` (and adding one), each a fresh copy. */
function mutations(value: Record<string, unknown>): unknown[] {
  const odd: unknown[] = [undefined, null, 0, -1, 1.5, 2, '', 'x', [], {}, ['a', 'a'], [{}], true, 'NO_AVAILABLE_SLOT', 'not-a-uuid']
  const out: unknown[] = [{...value, extra: 1}]
  for (const key of Object.keys(value)) {
    const {[key]: _removed, ...without} = value
    out.push(without)
    for (const replacement of odd) out.push({...value, [key]: replacement})
    const inner = value[key]
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const changed of mutations(inner as Record<string, unknown>)) out.push({...value, [key]: changed})
    }
    if (Array.isArray(inner)) {
      out.push({...value, [key]: [...inner, inner[0]]}, {...value, [key]: inner.slice(1)})
      if (typeof inner[0] === 'object') for (const changed of mutations(inner[0])) out.push({...value, [key]: [changed, ...inner.slice(1)]})
    }
  }
  return out
}

describe('handCheckedEnvelope', () => {
  const types = Object.keys(SAMPLE_DATA) as EventType[]

  it.each(types)('returns for %s exactly what zod returns, key order included', (type) => {
    // Given one envelope as racelab's services write it
    const json = envelopeOf(type)

    // When
    const checked = handCheckedEnvelope(json)

    // Then
    expect(checked).toBeDefined()
    expect(JSON.stringify(checked)).toBe(zodSays(json))
    expect(checked).toStrictEqual(envelopeSchema.parse(json))
  })

  it.each(types)('never accepts a broken %s that zod rejects, and agrees with zod on what it accepts', (type) => {
    // Given every one-field mutation of a valid envelope
    const broken = mutations(envelopeOf(type))
    expect(broken.length).toBeGreaterThan(100)
    let fellBack = 0

    for (const value of broken) {
      // When
      const checked = handCheckedEnvelope(value)

      // Then: zod gets the last word whenever the hand check is unsure
      if (checked === undefined) fellBack++
      else expect(JSON.stringify(checked)).toBe(zodSays(value))
    }
    expect(fellBack).toBeGreaterThan(0)
  })

  it('knows every validation error code and excess reason the schema knows', () => {
    // Given every code and reason zod accepts
    const failed = envelopeOf('huleedu.file.essay.validation.failed.v1')
    const excess = envelopeOf('huleedu.els.excess.content.provisioned.v1')

    // Then the hand check accepts each too
    for (const code of validationErrorCode.options) {
      expect(handCheckedEnvelope({...failed, data: {...(failed.data as object), validation_error_code: code}})).toBeDefined()
    }
    for (const reason of excessReason.options) {
      expect(handCheckedEnvelope({...excess, data: {...(excess.data as object), reason}})).toBeDefined()
    }
  })

  it('leaves metadata, arrays and non-objects to zod', () => {
    // Given
    const withMetadata = {...envelopeOf('huleedu.els.essay.slot.assigned.v1'), metadata: {trace: 'x'}}

    // Then
    expect(handCheckedEnvelope(withMetadata)).toBeUndefined()
    expect(zodSays(withMetadata)).toBeDefined()
    for (const value of [null, [], 'envelope', 1]) expect(handCheckedEnvelope(value)).toBeUndefined()
  })
})
