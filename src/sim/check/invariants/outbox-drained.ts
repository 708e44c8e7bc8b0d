import {MAX_PUBLISH_RETRIES} from '../../outbox/outbox.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import type {ObservationIndex} from '../observation-index.js'

/**
 * outbox-drained: every committed outbox row is published at least once. A row the relay gave up
 * on (MAX_PUBLISH_RETRIES failed publishes) is named as such, with its last_error: the relay
 * stops trying, nothing else ever publishes it, and its batch waits for ever.
 */
export function outboxDrained(obs: Observation, _index: ObservationIndex): Violation[] {
  return obs.unpublished.map((row) => ({
    invariant: 'outbox-drained',
    batchId: row.aggregateId,
    detail:
      `${row.service} outbox row ${row.rowId} (${row.eventType}) was never published` +
      ((row.failedPublishes ?? 0) >= MAX_PUBLISH_RETRIES
        ? `: the relay gave up on it after ${row.failedPublishes} failed publishes (last_error: ${row.lastError ?? 'none'})`
        : row.failedPublishes
          ? ` (${row.failedPublishes} failed publishes, last_error: ${row.lastError ?? 'none'})`
          : ''),
    events: [],
  }))
}
