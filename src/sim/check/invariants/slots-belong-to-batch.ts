import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, views} from '../observation-index.js'
import {SlotOwners} from '../slot-owners.js'

/**
 * slots-belong-to-batch: every EssaySlotAssigned of a batch fills one of that batch's own slots
 * (as BOS registered them) with content the File Service committed for that batch, under the
 * upload it came from.
 */
export function slotsBelongToBatch(_obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  const owner = index.slotOwners ?? new SlotOwners(views(index).flatMap((view) => view.messages[TOPICS.batchEssaysRegistered].map((m) => [view.batchId, m.envelope.data.essay_ids] as const)))
  for (const view of views(index)) {
    const uploads = new Map(view.uploads.flatMap((u) => (u.textStorageId === undefined ? [] : [[u.textStorageId, u.fileUploadId] as const])))
    for (const m of view.messages[TOPICS.essaySlotAssigned]) {
      const {essay_id: essay, text_storage_id: text, file_upload_id: upload} = m.envelope.data
      const problems: string[] = []
      const ownedBy = owner.get(essay)
      if (ownedBy !== view.batchId) problems.push(ownedBy === undefined ? `no batch registered slot ${essay}` : `slot ${essay} belongs to batch ${ownedBy}`)
      if (!uploads.has(text)) problems.push(`${text} is not content the File Service provisioned for ${view.batchId}`)
      else if (uploads.get(text) !== upload) problems.push(`${text} came from upload ${uploads.get(text)}, not ${upload}`)
      if (problems.length > 0) {
        violations.push({
          invariant: 'slots-belong-to-batch',
          batchId: view.batchId,
          detail: `EssaySlotAssigned ${essay} of batch ${view.batchId}: ${problems.join('; ')}`,
          events: [m.envelope.event_id],
        })
      }
    }
  }
  return violations
}
