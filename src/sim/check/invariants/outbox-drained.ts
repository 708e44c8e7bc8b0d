import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import type {ObservationIndex} from '../observation-index.js'

/** outbox-drained: every committed outbox row is published at least once. */
export function outboxDrained(obs: Observation, _index: ObservationIndex): Violation[] {
  return obs.unpublished.map((row) => ({
    invariant: 'outbox-drained',
    batchId: row.aggregateId,
    detail: `${row.service} outbox row ${row.rowId} (${row.eventType}) was never published`,
    events: [],
  }))
}
