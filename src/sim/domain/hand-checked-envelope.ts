import * as z from 'zod'

import type {Envelope} from './events.js'
import {sharedTopicName, TOPICS} from './topics.js'

/**
 * The envelope schema's fast path: the envelopes racelab's own services write, checked by hand
 * and copied into exactly the object zod's `envelopeSchema.parse` returns (the same keys, in
 * zod's order). It answers only when it is sure: any key it does not expect (zod would strip
 * it), any missing, mistyped or out-of-range field, `metadata`, or a refinement that fails, and
 * it returns undefined so the caller asks zod, whose issue names the field. A valid envelope is
 * accepted by both, or by zod alone; never by this one alone (test/sim/domain/hand-checked-envelope.test.ts).
 *
 * Why: every consumed message and every message the checker observes is parsed, and zod's
 * general machinery cost more than the rest of a small run's JS (docs/benchmarks.md).
 */
export function handCheckedEnvelope(json: unknown): Envelope | undefined {
  if (!isRecord(json) || keyCount(json) !== 7) return undefined
  const {event_id, event_type, event_timestamp, source_service, schema_version, correlation_id, data} = json
  if (
    typeof event_id !== 'string' ||
    !UUID.test(event_id) ||
    typeof event_timestamp !== 'string' ||
    typeof source_service !== 'string' ||
    schema_version !== 1 ||
    typeof correlation_id !== 'string' ||
    !isRecord(data)
  ) {
    return undefined
  }
  const checked = DATA[event_type as string]?.(data)
  if (checked === undefined) return undefined
  // The topic's one shared string, not the copy JSON.parse made: the judge keeps every envelope of a large run.
  return {event_id, event_timestamp, source_service, schema_version, correlation_id, event_type: sharedTopicName(event_type as string), data: checked} as Envelope
}

/** The regex zod's `z.string().uuid()` applies. */
const UUID = z.regexes.uuid()

type DataCheck = (data: Record<string, unknown>) => object | undefined

const DATA: Record<string, DataCheck> = {
  [TOPICS.batchEssaysRegistered]: (d) => {
    const {batch_id, expected_essay_count, essay_ids, course_code, user_id} = d
    if (keyCount(d) !== 5 || typeof batch_id !== 'string' || !isInt(expected_essay_count) || expected_essay_count <= 0) return undefined
    if (!Array.isArray(essay_ids) || typeof course_code !== 'string' || typeof user_id !== 'string') return undefined
    // The two refinements: one id per expected essay, all distinct.
    if (essay_ids.length !== expected_essay_count || !essay_ids.every((id) => typeof id === 'string')) return undefined
    if (new Set(essay_ids).size !== essay_ids.length) return undefined
    return {batch_id, expected_essay_count, essay_ids: [...essay_ids], course_code, user_id}
  },
  [TOPICS.essayContentProvisioned]: (d) => {
    const {batch_id, file_upload_id, original_file_name, raw_file_storage_id, text_storage_id, file_size_bytes, content_md5_hash} = d
    if (keyCount(d) !== 7 || !strings(batch_id, file_upload_id, original_file_name, raw_file_storage_id, text_storage_id, content_md5_hash)) return undefined
    if (!isInt(file_size_bytes) || file_size_bytes < 0) return undefined
    return {batch_id, file_upload_id, original_file_name, raw_file_storage_id, text_storage_id, file_size_bytes, content_md5_hash}
  },
  [TOPICS.essayValidationFailed]: (d) => {
    const {batch_id, file_upload_id, original_file_name, validation_error_code, file_size_bytes} = d
    if (keyCount(d) !== 5 || !strings(batch_id, file_upload_id, original_file_name) || !VALIDATION_CODES.has(validation_error_code)) return undefined
    if (!isInt(file_size_bytes) || file_size_bytes < 0) return undefined
    return {batch_id, file_upload_id, original_file_name, validation_error_code, file_size_bytes}
  },
  [TOPICS.excessContentProvisioned]: (d) => {
    const {batch_id, original_file_name, text_storage_id, reason} = d
    if (keyCount(d) !== 4 || !strings(batch_id, original_file_name, text_storage_id) || !EXCESS_REASONS.has(reason)) return undefined
    return {batch_id, original_file_name, text_storage_id, reason}
  },
  [TOPICS.batchEssaysReady]: (d) => {
    const {batch_id, ready_essays} = d
    if (keyCount(d) !== 2 || typeof batch_id !== 'string' || !Array.isArray(ready_essays)) return undefined
    const copied: {essay_id: string; text_storage_id: string}[] = []
    for (const essay of ready_essays as unknown[]) {
      if (!isRecord(essay) || keyCount(essay) !== 2) return undefined
      const {essay_id, text_storage_id} = essay
      if (!strings(essay_id, text_storage_id)) return undefined
      copied.push({essay_id, text_storage_id} as {essay_id: string; text_storage_id: string})
    }
    return {batch_id, ready_essays: copied}
  },
  [TOPICS.essaySlotAssigned]: (d) => {
    const {batch_id, essay_id, file_upload_id, text_storage_id} = d
    if (keyCount(d) !== 4 || !strings(batch_id, essay_id, file_upload_id, text_storage_id)) return undefined
    return {batch_id, essay_id, file_upload_id, text_storage_id}
  },
}

const VALIDATION_CODES = new Set<unknown>(['EMPTY_CONTENT', 'CONTENT_TOO_SHORT', 'CONTENT_TOO_LONG', 'TEXT_EXTRACTION_FAILED'])
const EXCESS_REASONS = new Set<unknown>(['NO_AVAILABLE_SLOT', 'BATCH_NEVER_REGISTERED'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
}

/** Own keys, counted without building an array (JSON.parse makes only own, enumerable ones). */
function keyCount(value: Record<string, unknown>): number {
  let n = 0
  for (const key in value) if (Object.hasOwn(value, key)) n++
  return n
}

/** zod's `.int()`: a safe integer. */
function isInt(value: unknown): value is number {
  return Number.isSafeInteger(value)
}

function strings(...values: unknown[]): boolean {
  for (const value of values) if (typeof value !== 'string') return false
  return true
}
