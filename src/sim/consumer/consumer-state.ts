import type {Micros} from '../kernel/time.js'

/**
 * What the checker may read of a consumer's durable state, besides the messages it wrote: the
 * batch trackers and what is still buffered. racelab's own ELS knows its tables and exposes them;
 * a user's handler owns its schema, so racelab cannot read it, and the invariants that would judge
 * this state judge from the messages instead (docs/architecture.md#invariants).
 */
export interface ConsumerState {
  trackers: ConsumerTracker[]
  /** Rows still buffered at the end (pending_content). */
  pending: ConsumerPending[]
}

export interface ConsumerTracker {
  batchId: string
  expected: number
  assigned: number
  failed: number
  /** Set when ELS completed the batch. */
  readyAt: Micros | undefined
}

export interface ConsumerPending {
  batchId: string
  /** text_storage_id for content; file_upload_id for a buffered validation failure. */
  ref: string
  kind: 'content' | 'failure'
  storedAt: Micros
}
