import type {ConsumerPending, ConsumerTracker} from '../consumer/consumer-state.js'
import type {Envelope} from '../domain/events.js'
import type {Micros} from '../kernel/time.js'

/**
 * Everything the checker may look at after a run, the same for both shells: the ground truth
 * (what BOS registered and what the File Service committed), every message the broker holds,
 * and the durable end state of ELS and of the three outboxes.
 */
export interface Observation {
  /** Batches BOS committed (ground truth). */
  batches: ObservedBatch[]
  /** File Service upload rows (ground truth): one per processed file. */
  uploads: ObservedUpload[]
  /** Every message on every topic, in broker append order, envelope parsed. */
  messages: ObservedMessage[]
  /** Messages whose value did not parse as an envelope: never dropped, always judged. */
  malformed: MalformedMessage[]
  /** ELS's durable state at the end of the run. */
  els: {
    trackers: ObservedTracker[]
    /** Rows still in pending_content at the end (buffer strategy). */
    pending: ObservedPending[]
    /**
     * True when ELS's tables are not racelab's to read (a user's handler owns its schema):
     * trackers and pending are empty, and the invariants that read them judge from the
     * messages alone, or skip what only the tables could show (docs/architecture.md#invariants).
     */
    opaque?: boolean
  }
  /** Outbox rows never published, per service. */
  unpublished: ObservedOutboxRow[]
  /** Virtual time the run ended. */
  endedAt: Micros
  /**
   * Why the run ended before it was quiet (a step or time limit, a consumer that crashed for
   * good), if it did: a system that never settles has not converged, whatever else holds.
   */
  unsettled?: string
  /**
   * Liveness bound: a complete batch must be ready at most this long after its last input
   * (the later of its registration and last upload commit). Derived from configured delays.
   */
  livenessBound: Micros
}

export interface ObservedBatch {
  batchId: string
  expectedEssays: number
  committedAt: Micros
}

export interface ObservedUpload {
  batchId: string
  fileUploadId: string
  /** Set for valid files (content provisioned); undefined for validation failures. */
  textStorageId: string | undefined
  valid: boolean
  committedAt: Micros
}

export interface ObservedMessage {
  topic: string
  partition: number
  offset: number
  appendedAt: Micros
  envelope: Envelope
  /** The outbox row it was published from (`service:rowId`), when its producer says so. */
  row: string | undefined
}

export interface MalformedMessage {
  topic: string
  partition: number
  offset: number
  /** The batch the value names, when it is JSON with a `data.batch_id`. */
  batchId: string | undefined
  error: string
}

/** ELS's tracker of a batch at the end of the run. */
export type ObservedTracker = ConsumerTracker

/** A row still buffered at the end of the run. */
export type ObservedPending = ConsumerPending

export interface ObservedOutboxRow {
  service: 'bos' | 'file' | 'els'
  rowId: number
  eventType: string
  aggregateId: string
}
