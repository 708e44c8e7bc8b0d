import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, plural, views} from '../observation-index.js'

/**
 * ready-when-complete: counting Readies is not enough, a Ready must say the truth. When ELS wrote
 * a batch's BatchEssaysReady, every slot of the batch was filled or counted failed, and
 * `ready_essays` lists exactly the batch's assigned essays: each essay one of the batch's own
 * slots (as registered), each with the text it was assigned (as EssaySlotAssigned said), each
 * text one the File Service provisioned for this batch, and no assigned essay left out. When ELS's
 * tables are its own (a user's handler), its failed count is unknown: the batch's invalid uploads
 * stand in for it, the most it may have counted.
 */
export function readyWhenComplete(obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    const readies = view.messages[TOPICS.batchEssaysReady]
    if (readies.length === 0) continue
    const slots = new Set(view.messages[TOPICS.batchEssaysRegistered].flatMap((m) => m.envelope.data.essay_ids))
    const expected = view.batch?.expectedEssays ?? view.tracker?.expected
    const provisioned = new Set(view.uploads.flatMap((u) => (u.textStorageId === undefined ? [] : [u.textStorageId])))
    const assigned = new Map(view.messages[TOPICS.essaySlotAssigned].map((m) => [m.envelope.data.essay_id, m.envelope.data.text_storage_id]))
    const failed = obs.els.opaque ? view.uploads.filter((u) => !u.valid).length : (view.tracker?.failed ?? 0)
    for (const ready of readies) {
      const listed = ready.envelope.data.ready_essays
      const problems: string[] = []
      if (expected !== undefined && listed.length + failed < expected) {
        problems.push(`written with ${listed.length} of ${expected} slots filled and ${failed} counted failed`)
      }
      const seen = new Set<string>()
      for (const {essay_id: essay, text_storage_id: text} of listed) {
        if (seen.has(essay)) problems.push(`lists essay ${essay} twice`)
        seen.add(essay)
        if (!slots.has(essay)) problems.push(`lists essay ${essay}, which is not a slot of ${view.batchId}`)
        else if (!assigned.has(essay)) problems.push(`lists essay ${essay}, which no EssaySlotAssigned filled`)
        else if (assigned.get(essay) !== text) problems.push(`lists ${essay} with ${text}, but it was assigned ${assigned.get(essay)}`)
        if (!provisioned.has(text)) problems.push(`lists ${text}, which the File Service never provisioned for ${view.batchId}`)
      }
      const missing = [...assigned.keys()].filter((essay) => !seen.has(essay))
      if (missing.length > 0) problems.push(`leaves out ${plural(missing.length, 'assigned essay')} (${missing.join(', ')})`)
      if (problems.length > 0) {
        violations.push({
          invariant: 'ready-when-complete',
          batchId: view.batchId,
          detail: `BatchEssaysReady ${view.batchId} ${problems.join('; ')}`,
          events: [ready.envelope.event_id],
        })
      }
    }
  }
  return violations
}
