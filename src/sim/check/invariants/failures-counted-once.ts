import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, views} from '../observation-index.js'

/**
 * failures-counted-once: ELS counts each invalid upload of a batch at most once. A re-sent or
 * redelivered validation failure counted again would complete the batch early, with a slot that
 * no content fills. Skipped when ELS's tables are its own (a user's handler): only its tracker
 * knows the count; the early completion it causes is still ready-when-complete's finding.
 */
export function failuresCountedOnce(_obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    if (view.tracker === undefined) continue
    const invalid = view.uploads.filter((u) => !u.valid).length
    if (view.tracker.failed > invalid) {
      violations.push({
        invariant: 'failures-counted-once',
        batchId: view.batchId,
        detail: `ELS counted ${view.tracker.failed} failed slots, but only ${invalid} of the batch's uploads failed validation`,
        events: [],
      })
    }
  }
  return violations
}
