import {formatSeconds} from '../../kernel/time.js'
import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, eventIds, plural, views} from '../observation-index.js'

/**
 * no-lost-content: every valid upload ends assigned or reported excess (an expired pending row
 * is reported excess BATCH_NEVER_REGISTERED); every invalid upload is counted as failed by the
 * batch's tracker; nothing is left in pending_content when the run ends. When ELS's tables are its
 * own (a user's handler), only the first part is judged (content still buffered counts as dropped):
 * its failure counts and buffer are not racelab's to read, and a lost failure still leaves the
 * batch never ready (ready-exactly-once).
 */
export function noLostContent(obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    const violation = (detail: string, events: string[]): void => {
      violations.push({invariant: 'no-lost-content', batchId: view.batchId, detail, events})
    }

    // Valid content that never came out of ELS. Content still pending is reported below.
    const dropped = view.uploads.filter(
      (u) =>
        u.valid &&
        u.textStorageId !== undefined &&
        !view.assignedTexts.has(u.textStorageId) &&
        !view.excessTexts.has(u.textStorageId) &&
        !view.pendingRefs.has(u.textStorageId),
    )
    if (dropped.length > 0) {
      const droppedTexts = new Set(dropped.map((u) => u.textStorageId))
      const content = view.messages[TOPICS.essayContentProvisioned].filter((m) =>
        droppedTexts.has(m.envelope.data.text_storage_id),
      )
      const list = dropped.map((u) => `${u.textStorageId} (upload ${u.fileUploadId})`).join(', ')
      // A report ELS wrote but its relay never published (given up after its retries) is not
      // silent: outbox-drained names the row, and this says where the content may have gone.
      // Nor is content that never reached ELS because the File Service's relay gave its row up.
      const unsent = obs.unpublished.filter((row) => row.service === 'els').length
      const published = new Set(content.map((m) => m.envelope.data.text_storage_id))
      const fileUnsent = obs.unpublished.filter((row) => row.service === 'file' && row.aggregateId === view.batchId && row.eventType === TOPICS.essayContentProvisioned).length
      const how =
        unsent > 0
          ? `never assigned nor reported excess on the topics (ELS's outbox kept ${plural(unsent, 'unpublished row')}: see outbox-drained)`
          : fileUnsent > 0 && dropped.every((u) => !published.has(u.textStorageId ?? ''))
            ? `never reached ELS (the File Service's outbox kept ${plural(fileUnsent, 'unpublished row')} of this batch: see outbox-drained)`
            : 'silently dropped: never assigned nor reported excess'
      violation(`${plural(dropped.length, 'content')} ${how}: ${list}`, eventIds(content))
    }

    // Validation failures the tracker never counted.
    const invalid = view.uploads.filter((u) => !u.valid)
    // (A batch without a tracker whose content was all reported is not losing anything here:
    // that it never became ready is ready-exactly-once's finding.)
    if (obs.els.opaque) {
      // Nothing to compare the invalid uploads with.
    } else if (view.tracker === undefined) {
      if (view.batch !== undefined && invalid.length > 0) {
        violation(
          `ELS has no tracker for this registered batch, so its ${plural(invalid.length, 'validation failure')} ` +
            `were never counted`,
          eventIds(view.messages[TOPICS.essayValidationFailed]),
        )
      }
    } else if (view.tracker.failed < invalid.length) {
      const lost = invalid.length - view.tracker.failed
      violation(
        `${plural(lost, 'validation failure')} lost: tracker counts ${view.tracker.failed} failed ` +
          `of ${invalid.length} invalid ${invalid.length === 1 ? 'upload' : 'uploads'}`,
        eventIds(view.messages[TOPICS.essayValidationFailed]),
      )
    }

    // Anything still buffered when the run ends was never reconciled nor expired.
    if (view.pending.length > 0) {
      const oldest = view.pending.reduce((min, p) => Math.min(min, p.storedAt), Infinity)
      const list = view.pending.map((p) => `${p.kind} ${p.ref}`).join(', ')
      const buffered = [
        ...view.messages[TOPICS.essayContentProvisioned].filter((m) =>
          view.pendingRefs.has(m.envelope.data.text_storage_id),
        ),
        ...view.messages[TOPICS.essayValidationFailed].filter((m) =>
          view.pendingRefs.has(m.envelope.data.file_upload_id),
        ),
      ]
      violation(
        `${plural(view.pending.length, 'row')} left in pending_content at the end of the run ` +
          `(oldest stored ${formatSeconds(obs.endedAt - oldest)} before the end): ${list}`,
        eventIds(buffered),
      )
    }
  }
  return violations
}
