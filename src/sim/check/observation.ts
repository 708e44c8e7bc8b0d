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
    /** The buffer metrics ELS reported and what its instances did, when the consumer keeps metrics. */
    metrics?: ObservedMetrics
    /**
     * True when ELS's tables are not racelab's to read (a user's handler owns its schema):
     * trackers and pending are empty, and the invariants that read them judge from the
     * messages alone, or skip what only the tables could show (docs/architecture.md#invariants).
     */
    opaque?: boolean
    /**
     * True when ELS ran elsewhere (`--els external`, docs/black-box.md): opaque, its outbox
     * unseen too, and its records' envelope timestamps are its own clock's, so times are the
     * broker's (when a record was appended).
     */
    external?: boolean
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
  /** When liveness is judged from, and the bound a fault-free system converges within. */
  liveness: LivenessModel
}

/**
 * Liveness in TigerBeetle's split (docs/architecture.md#liveness): while faults fire only safety
 * is judged; once the last fault's recovery ended, a complete batch must become ready within a
 * bound derived from the relay and consumer model (`check/convergence-bound.ts`), counted from
 * that moment or from the batch's last input, whichever is later. Plain data, so an observation
 * can be cloned and compared.
 */
export interface LivenessModel {
  /** When the last fault's recovery ended (0: no fault fired): the run is fault-free after it. */
  healedAt: Micros
  /** Each relay that carries ELS's input, with when its rows were committed and published for good. */
  relays: RelayWork[]
  /** A relay reads at most this many rows per poll. */
  pollBatch: number
  /** ELS's share: every input message handled once more at its slowest, plus the broker's latency. */
  elsMessages: number
  elsPerMessage: Micros
  kafka: Micros
  /** Added to every bound: a second, and a live shell's scheduling noise. */
  slack: Micros
}

/**
 * The metrics ELS's instances reported at the end (summed, as a dashboard would) and the events
 * of each instance that should have moved them, in trace order. Metrics live in process memory,
 * so a `reset` (a crash or restart of that instance) starts its counts again.
 */
export interface ObservedMetrics {
  reported: {pendingStored: number; reconciled: {assigned: number; excess: number; failed: number}; expired: number; deadLettered: number}
  events: MetricEvent[]
}

export type MetricEvent =
  | {instance: number; kind: 'reset'}
  | {instance: number; kind: 'handled'; outcome: string; drained: number; emitted: string[]}
  | {instance: number; kind: 'expired'}

export interface RelayWork {
  label: string
  /** Sorted commit times of the rows this relay publishes. */
  committed: Micros[]
  /** Sorted times each row was published for good (acked and not crashed on). */
  marked: Micros[]
  /** One poll's cost: the publish delay and a broker round trip per row. */
  perPoll: Micros
  /** The longest an idle relay waits before it looks again. */
  idlePoll: Micros
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
  /** How many publishes of it failed (its retry_count), when any did. */
  failedPublishes?: number
  /** Its last_error, when a publish failed. */
  lastError?: string
}
