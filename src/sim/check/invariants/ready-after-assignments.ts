import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, views} from '../observation-index.js'
import {rowNumber} from '../outbox-row.js'

/**
 * ready-after-assignments: ELS commits a batch's EssaySlotAssigned events before its
 * BatchEssaysReady, so a consumer of ELS's topics that sees Ready has seen (or will see, in commit
 * order) every assignment it lists. Judged by ELS outbox row, i.e. by commit order, where the
 * records name their rows.
 */
export function readyAfterAssignments(_obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    const ready = view.messages[TOPICS.batchEssaysReady].map((m) => ({m, row: rowNumber(m.row)})).filter((r) => r.row !== undefined)
    if (ready.length === 0) continue
    const firstReady = ready.reduce((a, b) => (b.row! < a.row! ? b : a))
    const late = view.messages[TOPICS.essaySlotAssigned].filter((m) => {
      const row = rowNumber(m.row)
      return row !== undefined && row > firstReady.row!
    })
    if (late.length > 0) {
      violations.push({
        invariant: 'ready-after-assignments',
        batchId: view.batchId,
        detail: `EssaySlotAssigned ${late.map((m) => m.envelope.data.essay_id).join(', ')} committed after BatchEssaysReady ${view.batchId} (ELS outbox rows ${late.map((m) => rowNumber(m.row)).join(', ')} > ${firstReady.row})`,
        events: [firstReady.m.envelope.event_id, ...late.map((m) => m.envelope.event_id)],
      })
    }
  }
  return violations
}
