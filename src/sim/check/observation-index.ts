import type {EnvelopeOf, EventType} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'
import type {Violation} from './invariant.js'
import type {
  Observation,
  ObservedBatch,
  ObservedMessage,
  ObservedPending,
  ObservedTracker,
  ObservedUpload,
} from './observation.js'
import type {SlotOwners} from './slot-owners.js'

/** An observed message whose envelope is known to be of event type `T`. */
export type MessageOf<T extends EventType> = Omit<ObservedMessage, 'envelope'> & {envelope: EnvelopeOf<T>}

/** Messages grouped by event type, each list in broker append order. */
export type MessagesByType = {[T in EventType]: MessageOf<T>[]}

/** Everything known about one batch id, gathered from every part of the observation. */
export interface BatchView {
  batchId: string
  /** What BOS committed; undefined when BOS never committed this batch id. */
  batch: ObservedBatch | undefined
  /** ELS's tracker at the end of the run; undefined when ELS never created one. */
  tracker: ObservedTracker | undefined
  /** File Service upload rows (valid and invalid), in observation order. */
  uploads: ObservedUpload[]
  /** Rows still in ELS's pending_content at the end of the run. */
  pending: ObservedPending[]
  /** Messages whose `data.batch_id` is this batch, per event type. */
  messages: MessagesByType
  /** text_storage_ids of the batch's EssaySlotAssigned messages. */
  assignedTexts: Set<string>
  /** text_storage_ids of the batch's ExcessContentProvisioned messages (any reason). */
  excessTexts: Set<string>
  /** `ref`s of the batch's pending rows (text_storage_id or file_upload_id). */
  pendingRefs: Set<string>
}

/** Lookup maps built once per check, so that every invariant is a linear pass. */
export interface ObservationIndex {
  /**
   * Every batch id seen anywhere (BOS batches, uploads, trackers, pending rows, messages):
   * BOS's batches first in commit order, then the others sorted by id.
   */
  batchIds: string[]
  byBatch: Map<string, BatchView>
  /** All messages per event type, in broker append order, across batches. */
  messages: MessagesByType
  /**
   * Which batch registered each essay id (the last to, in `batchIds` order), when the index was
   * given it: a part of a large run's judgement (`judge-in-parts.ts`) sees only its own batches'
   * registrations, but a slot may belong to any batch. Absent: read from the index's own views.
   */
  slotOwners?: SlotOwners
}

/** How every invariant is written: a pure function over the observation and its index. */
export type InvariantCheck = (obs: Observation, index: ObservationIndex) => Violation[]

function emptyMessages(): MessagesByType {
  return {
    [TOPICS.batchEssaysRegistered]: [],
    [TOPICS.essayContentProvisioned]: [],
    [TOPICS.essayValidationFailed]: [],
    [TOPICS.excessContentProvisioned]: [],
    [TOPICS.batchEssaysReady]: [],
    [TOPICS.essaySlotAssigned]: [],
  }
}

function emptyView(batchId: string): BatchView {
  return {
    batchId,
    batch: undefined,
    tracker: undefined,
    uploads: [],
    pending: [],
    messages: emptyMessages(),
    assignedTexts: new Set(),
    excessTexts: new Set(),
    pendingRefs: new Set(),
  }
}

/**
 * What makes two messages one emission. A relay that crashed between the broker's ack and
 * published_at re-sends the row under a new event_id: the same emission twice on the wire.
 * Invariants judge emissions, not copies. An emission is its outbox row where the producer names
 * it: two rows are two events, however alike. Without the header (a producer racelab did not
 * run), alike copies count once. Copies of one emission always name the same batch.
 */
export function emissionOf(message: ObservedMessage): string {
  const envelope = message.envelope
  return message.row ?? `${envelope.event_type}|${envelope.event_timestamp}|${JSON.stringify(envelope.data)}`
}

export function buildIndex(obs: Observation, slotOwners?: SlotOwners): ObservationIndex {
  const byBatch = new Map<string, BatchView>()
  const view = (batchId: string): BatchView => {
    let found = byBatch.get(batchId)
    if (found === undefined) {
      found = emptyView(batchId)
      byBatch.set(batchId, found)
    }
    return found
  }

  for (const batch of obs.batches) view(batch.batchId).batch = batch
  const registered = byBatch.size

  for (const upload of obs.uploads) view(upload.batchId).uploads.push(upload)
  for (const tracker of obs.els.trackers) view(tracker.batchId).tracker = tracker
  for (const row of obs.els.pending) {
    const v = view(row.batchId)
    v.pending.push(row)
    v.pendingRefs.add(row.ref)
  }

  const messages = emptyMessages()
  const seen = new Set<string>()
  for (const message of obs.messages) {
    const envelope = message.envelope
    const emission = emissionOf(message)
    if (seen.has(emission)) continue
    seen.add(emission)
    const v = view(envelope.data.batch_id)
    // The lists are keyed by event type, so each list only ever receives its own type; the
    // mapped type cannot follow the discriminant through the index, hence the widened view.
    const all: ObservedMessage[] = messages[envelope.event_type]
    const mine: ObservedMessage[] = v.messages[envelope.event_type]
    all.push(message)
    mine.push(message)
    if (envelope.event_type === TOPICS.essaySlotAssigned) v.assignedTexts.add(envelope.data.text_storage_id)
    if (envelope.event_type === TOPICS.excessContentProvisioned) v.excessTexts.add(envelope.data.text_storage_id)
  }

  const ids = [...byBatch.keys()]
  const others = ids.slice(registered).sort(compareIds)
  return {batchIds: [...ids.slice(0, registered), ...others], byBatch, messages, ...(slotOwners === undefined ? {} : {slotOwners})}
}

/** Code-unit order: locale independent, so reports are byte-stable on any machine. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The view of a batch id, empty when the id was never seen. */
export function viewOf(index: ObservationIndex, batchId: string): BatchView {
  return index.byBatch.get(batchId) ?? emptyView(batchId)
}

/** Every batch view, in `index.batchIds` order. */
export function views(index: ObservationIndex): BatchView[] {
  return index.batchIds.map((id) => viewOf(index, id))
}

export const eventIds = (messages: readonly ObservedMessage[]): string[] =>
  messages.map((m) => m.envelope.event_id)

/** `1 file` / `2 files`. */
export const plural = (n: number, word: string, suffix = 's'): string => `${n} ${word}${n === 1 ? '' : suffix}`
