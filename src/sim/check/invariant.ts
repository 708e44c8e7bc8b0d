/** The named invariants (docs/architecture.md#invariants). Names are stable: tests, fixtures and CI refer to them. */
export const INVARIANTS = [
  'ready-exactly-once',
  'ready-when-complete',
  'ready-after-assignments',
  'no-false-excess',
  'no-lost-content',
  'failures-counted-once',
  'no-double-assignment',
  'slots-belong-to-batch',
  'messages-parse',
  'relay-commit-order',
  'metrics-agree',
  'outbox-drained',
  'liveness',
] as const

export type InvariantName = (typeof INVARIANTS)[number]

export interface Violation {
  invariant: InvariantName
  /** The batch concerned. */
  batchId: string
  /** One sentence a developer can act on. */
  detail: string
  /** event_ids of the messages involved (may be empty when the problem is an absence). */
  events: string[]
}
