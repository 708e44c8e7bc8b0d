import * as z from 'zod'

import {handCheckedEnvelope} from './hand-checked-envelope.js'
import {TOPICS} from './topics.js'

/**
 * Event payloads and the envelope, as zod schemas: consumers validate every message, and a
 * message that does not parse is dead-lettered instead of crashing the consumer.
 */

export const batchEssaysRegisteredData = z
  .object({
    batch_id: z.string(),
    expected_essay_count: z.number().int().positive(),
    essay_ids: z.array(z.string()),
    course_code: z.string(),
    user_id: z.string(),
  })
  .refine((data) => data.essay_ids.length === data.expected_essay_count, {
    message: 'essay_ids must hold expected_essay_count ids',
    path: ['essay_ids'],
  })
  .refine((data) => new Set(data.essay_ids).size === data.essay_ids.length, {
    message: 'essay_ids must be distinct',
    path: ['essay_ids'],
  })

export const essayContentProvisionedData = z.object({
  batch_id: z.string(),
  file_upload_id: z.string(),
  original_file_name: z.string(),
  raw_file_storage_id: z.string(),
  text_storage_id: z.string(),
  file_size_bytes: z.number().int().nonnegative(),
  content_md5_hash: z.string(),
})

export const validationErrorCode = z.enum([
  'EMPTY_CONTENT',
  'CONTENT_TOO_SHORT',
  'CONTENT_TOO_LONG',
  'TEXT_EXTRACTION_FAILED',
])
export type ValidationErrorCode = z.infer<typeof validationErrorCode>

export const essayValidationFailedData = z.object({
  batch_id: z.string(),
  file_upload_id: z.string(),
  original_file_name: z.string(),
  validation_error_code: validationErrorCode,
  file_size_bytes: z.number().int().nonnegative(),
})

export const excessReason = z.enum(['NO_AVAILABLE_SLOT', 'BATCH_NEVER_REGISTERED'])
export type ExcessReason = z.infer<typeof excessReason>

export const excessContentProvisionedData = z.object({
  batch_id: z.string(),
  original_file_name: z.string(),
  text_storage_id: z.string(),
  reason: excessReason,
})

export const batchEssaysReadyData = z.object({
  batch_id: z.string(),
  ready_essays: z.array(z.object({essay_id: z.string(), text_storage_id: z.string()})),
})

export const essaySlotAssignedData = z.object({
  batch_id: z.string(),
  essay_id: z.string(),
  file_upload_id: z.string(),
  text_storage_id: z.string(),
})

const envelopeBase = {
  event_id: z.string().uuid(),
  event_timestamp: z.string(),
  source_service: z.string(),
  schema_version: z.literal(1),
  correlation_id: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}

export const envelopeSchema = z.discriminatedUnion('event_type', [
  z.object({...envelopeBase, event_type: z.literal(TOPICS.batchEssaysRegistered), data: batchEssaysRegisteredData}),
  z.object({...envelopeBase, event_type: z.literal(TOPICS.essayContentProvisioned), data: essayContentProvisionedData}),
  z.object({...envelopeBase, event_type: z.literal(TOPICS.essayValidationFailed), data: essayValidationFailedData}),
  z.object({
    ...envelopeBase,
    event_type: z.literal(TOPICS.excessContentProvisioned),
    data: excessContentProvisionedData,
  }),
  z.object({...envelopeBase, event_type: z.literal(TOPICS.batchEssaysReady), data: batchEssaysReadyData}),
  z.object({...envelopeBase, event_type: z.literal(TOPICS.essaySlotAssigned), data: essaySlotAssignedData}),
])

/** Any envelope: a discriminated union on `event_type` (the topic name). */
export type Envelope = z.infer<typeof envelopeSchema>
export type EventType = Envelope['event_type']
export type EnvelopeOf<T extends EventType> = Extract<Envelope, {event_type: T}>
export type DataOf<T extends EventType> = EnvelopeOf<T>['data']

/** Short names for timelines and fixtures. */
export const SHORT_NAME: Record<EventType, string> = {
  [TOPICS.batchEssaysRegistered]: 'BatchEssaysRegistered',
  [TOPICS.essayContentProvisioned]: 'EssayContentProvisioned',
  [TOPICS.essayValidationFailed]: 'EssayValidationFailed',
  [TOPICS.excessContentProvisioned]: 'ExcessContentProvisioned',
  [TOPICS.batchEssaysReady]: 'BatchEssaysReady',
  [TOPICS.essaySlotAssigned]: 'EssaySlotAssigned',
}

export type ParseResult = {ok: true; envelope: Envelope} | {ok: false; error: string}

export function parseEnvelope(value: string): ParseResult {
  let json: unknown
  try {
    json = JSON.parse(value)
  } catch (error) {
    return {ok: false, error: `not JSON: ${(error as Error).message}`}
  }
  // racelab's own envelopes take the hand-checked path; anything it is unsure of, zod decides and words.
  const checked = handCheckedEnvelope(json)
  if (checked !== undefined) return {ok: true, envelope: checked}
  const parsed = envelopeSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {ok: false, error: `${issue.path.join('.') || 'envelope'}: ${issue.message}`}
  }
  return {ok: true, envelope: parsed.data}
}
