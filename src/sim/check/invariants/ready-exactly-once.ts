import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, eventIds, plural, views} from '../observation-index.js'

/**
 * ready-exactly-once: a batch whose files all arrived (uploads, valid or invalid, >= expected)
 * gets exactly one BatchEssaysReady; any other batch id (too few files, or never committed by
 * BOS) gets none.
 */
export function readyExactlyOnce(obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    const ready = view.messages[TOPICS.batchEssaysReady]
    const uploads = view.uploads.length
    const expected = view.batch?.expectedEssays
    const hadAllFiles = expected !== undefined && uploads >= expected
    const violation = (detail: string): void => {
      violations.push({invariant: 'ready-exactly-once', batchId: view.batchId, detail, events: eventIds(ready)})
    }

    if (hadAllFiles) {
      if (ready.length === 0) {
        const assigned = view.messages[TOPICS.essaySlotAssigned].length
        if (obs.els.opaque) {
          const invalid = view.uploads.filter((u) => !u.valid).length
          violation(`never became ready: assigned ${assigned} of ${expected} expected (${plural(uploads, 'file')} uploaded, ${invalid} invalid)`)
        } else {
          const failed = view.tracker?.failed ?? 0
          const tracker = view.tracker === undefined ? '; ELS has no tracker for it' : ''
          violation(
            `never became ready: assigned ${assigned} + failed ${failed} of ${expected} expected ` +
              `(${plural(uploads, 'file')} uploaded${tracker})`,
          )
        }
      } else if (ready.length > 1) {
        violation(`became ready ${ready.length} times (events ${eventIds(ready).join(', ')})`)
      }
    } else if (ready.length > 0) {
      const why =
        expected === undefined
          ? 'BOS never committed this batch'
          : `only ${uploads} of ${expected} expected files were uploaded`
      violation(`became ready ${plural(ready.length, 'time')} although ${why}`)
    }
  }
  return violations
}
