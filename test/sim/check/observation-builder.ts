import {type DataOf, type EventType, type ExcessReason, envelopeSchema} from '../../../src/sim/domain/events.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import type {
  LivenessModel,
  Observation,
  ObservedOutboxRow,
  ObservedPending,
  ObservedTracker,
  ObservedUpload,
} from '../../../src/sim/check/observation.js'
import {type Micros, isoAt, ms, seconds} from '../../../src/sim/kernel/time.js'

/** A valid, deterministic uuid v4 for sequence number `n`. */
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

const SOURCE: Record<EventType, string> = {
  [TOPICS.batchEssaysRegistered]: 'bos',
  [TOPICS.essayContentProvisioned]: 'file',
  [TOPICS.essayValidationFailed]: 'file',
  [TOPICS.excessContentProvisioned]: 'els',
  [TOPICS.batchEssaysReady]: 'els',
  [TOPICS.essaySlotAssigned]: 'els',
}

/**
 * Builds Observations for checker tests. Ground truth (batches, uploads), ELS end state and
 * unpublished rows are added with chainable calls; each message call returns the event_id of
 * the envelope it appended (validated against the real schema). Times default to a clock that
 * advances 1 ms per call; pass `at` to place an item explicitly.
 */
export class ObservationBuilder {
  private seq = 0
  private clock: Micros = 0
  private readonly offsets = new Map<string, number>()
  private readonly obs: Observation = {
    batches: [],
    uploads: [],
    messages: [],
    malformed: [],
    els: {trackers: [], pending: []},
    unpublished: [],
    endedAt: 0,
    liveness: fixedBound(seconds(5)),
  }

  /** The builder's clock: the time of the last item added. */
  get now(): Micros {
    return this.clock
  }

  private tick(at?: Micros): Micros {
    this.clock = at ?? this.clock + ms(1)
    return this.clock
  }

  /** BOS committed a batch of `expectedEssays` slots. */
  batch(batchId: string, expectedEssays: number, at?: Micros): this {
    this.obs.batches.push({batchId, expectedEssays, committedAt: this.tick(at)})
    return this
  }

  /** File Service committed an upload; valid when it has a textStorageId. */
  upload(batchId: string, fileUploadId: string, textStorageId: string | undefined, at?: Micros): this {
    const upload: ObservedUpload = {
      batchId,
      fileUploadId,
      textStorageId,
      valid: textStorageId !== undefined,
      committedAt: this.tick(at),
    }
    this.obs.uploads.push(upload)
    return this
  }

  tracker(tracker: Partial<ObservedTracker> & {batchId: string}): this {
    this.obs.els.trackers.push({expected: 0, assigned: 0, failed: 0, readyAt: undefined, ...tracker})
    return this
  }

  pending(batchId: string, ref: string, kind: ObservedPending['kind'] = 'content', at?: Micros): this {
    this.obs.els.pending.push({batchId, ref, kind, storedAt: this.tick(at)})
    return this
  }

  unpublished(row: ObservedOutboxRow): this {
    this.obs.unpublished.push(row)
    return this
  }

  livenessBound(bound: Micros, healedAt: Micros = 0): this {
    this.obs.liveness = fixedBound(bound, healedAt)
    return this
  }

  endedAt(at: Micros): this {
    this.obs.endedAt = at
    return this
  }

  message<T extends EventType>(type: T, data: DataOf<T>, at?: Micros): string {
    const appendedAt = this.tick(at)
    const envelope = envelopeSchema.parse({
      event_id: uuid(++this.seq),
      event_type: type,
      event_timestamp: isoAt(appendedAt),
      source_service: SOURCE[type],
      schema_version: 1,
      correlation_id: uuid(++this.seq),
      data,
    })
    const offset = this.offsets.get(type) ?? 0
    this.offsets.set(type, offset + 1)
    this.obs.messages.push({topic: type, partition: 0, offset, appendedAt, envelope, row: undefined})
    return envelope.event_id
  }

  registered(batchId: string, essayIds: string[], at?: Micros): string {
    return this.message(
      TOPICS.batchEssaysRegistered,
      {
        batch_id: batchId,
        expected_essay_count: essayIds.length,
        essay_ids: essayIds,
        course_code: 'ENG5',
        user_id: 'u1',
      },
      at,
    )
  }

  content(batchId: string, fileUploadId: string, textStorageId: string, at?: Micros): string {
    return this.message(
      TOPICS.essayContentProvisioned,
      {
        batch_id: batchId,
        file_upload_id: fileUploadId,
        original_file_name: `${fileUploadId}.txt`,
        raw_file_storage_id: `raw-${fileUploadId}`,
        text_storage_id: textStorageId,
        file_size_bytes: 1200,
        content_md5_hash: `md5-${textStorageId}`,
      },
      at,
    )
  }

  validationFailed(batchId: string, fileUploadId: string, at?: Micros): string {
    return this.message(
      TOPICS.essayValidationFailed,
      {
        batch_id: batchId,
        file_upload_id: fileUploadId,
        original_file_name: `${fileUploadId}.txt`,
        validation_error_code: 'CONTENT_TOO_SHORT',
        file_size_bytes: 12,
      },
      at,
    )
  }

  excess(batchId: string, textStorageId: string, reason: ExcessReason = 'NO_AVAILABLE_SLOT', at?: Micros): string {
    return this.message(
      TOPICS.excessContentProvisioned,
      {batch_id: batchId, original_file_name: `${textStorageId}.txt`, text_storage_id: textStorageId, reason},
      at,
    )
  }

  assigned(batchId: string, essayId: string, fileUploadId: string, textStorageId: string, at?: Micros): string {
    return this.message(
      TOPICS.essaySlotAssigned,
      {batch_id: batchId, essay_id: essayId, file_upload_id: fileUploadId, text_storage_id: textStorageId},
      at,
    )
  }

  ready(batchId: string, essays: {essay_id: string; text_storage_id: string}[], at?: Micros): string {
    return this.message(TOPICS.batchEssaysReady, {batch_id: batchId, ready_essays: essays}, at)
  }

  build(): Observation {
    const latest = this.obs.messages.reduce((max, m) => Math.max(max, m.appendedAt), this.clock)
    return structuredClone({...this.obs, endedAt: Math.max(this.obs.endedAt, latest)})
  }
}

export const essayId = (batchId: string, i: number): string => `${batchId}-essay-${i}`
export const textId = (batchId: string, i: number): string => `${batchId}-text-${i}`
export const uploadId = (batchId: string, i: number): string => `${batchId}-upload-${i}`

export interface HappyBatch {
  essayIds: string[]
  readyEventId: string
}

/**
 * A batch that went right, in causal order: BOS commits and registers `valid + invalid` slots,
 * the File Service commits `valid` good and `invalid` bad files, ELS assigns each good file a
 * slot, counts each bad one and emits BatchEssaysReady once.
 */
export function happyBatch(b: ObservationBuilder, batchId: string, valid: number, invalid = 0): HappyBatch {
  const expected = valid + invalid
  const essayIds = Array.from({length: expected}, (_, i) => essayId(batchId, i))
  b.batch(batchId, expected)
  b.registered(batchId, essayIds)
  for (let i = 0; i < valid; i++) {
    b.upload(batchId, uploadId(batchId, i), textId(batchId, i))
    b.content(batchId, uploadId(batchId, i), textId(batchId, i))
  }
  for (let i = valid; i < expected; i++) {
    b.upload(batchId, uploadId(batchId, i), undefined)
    b.validationFailed(batchId, uploadId(batchId, i))
  }
  const ready = []
  for (let i = 0; i < valid; i++) {
    b.assigned(batchId, essayIds[i], uploadId(batchId, i), textId(batchId, i))
    ready.push({essay_id: essayIds[i], text_storage_id: textId(batchId, i)})
  }
  const readyEventId = b.ready(batchId, ready)
  b.tracker({batchId, expected, assigned: valid, failed: invalid, readyAt: b.now})
  return {essayIds, readyEventId}
}

/** A liveness model whose bound is the same from any moment: all slack. */
function fixedBound(bound: Micros, healedAt: Micros = 0): LivenessModel {
  return {healedAt, relays: [], pollBatch: 100, elsMessages: 0, elsPerMessage: 0, kafka: 0, slack: bound}
}
