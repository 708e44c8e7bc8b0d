import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {rowNumber, rowService} from '../outbox-row.js'

/**
 * relay-commit-order: on each partition, a service's rows first appear in the order they were
 * committed (row ids increasing). A re-send may repeat a row later; a row overtaking an older one
 * of the same service on the same partition is a relay that broke the outbox's order.
 */
export function relayCommitOrder(obs: Observation): Violation[] {
  const violations: Violation[] = []
  const seen = new Set<string>()
  const last = new Map<string, {row: number; event: string}>()
  const ordered = [...obs.messages].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || a.offset - b.offset)
  for (const m of ordered) {
    const service = rowService(m.row)
    const row = rowNumber(m.row)
    if (service === undefined || row === undefined || seen.has(m.row!)) continue
    seen.add(m.row!)
    const lane = `${m.topic}|${m.partition}|${service}`
    const before = last.get(lane)
    if (before !== undefined && row < before.row) {
      violations.push({
        invariant: 'relay-commit-order',
        batchId: m.envelope.data.batch_id,
        detail: `${service} outbox row ${row} reached ${m.topic} p${m.partition} after row ${before.row}, which was committed later`,
        events: [before.event, m.envelope.event_id],
      })
    }
    if (before === undefined || row > before.row) last.set(lane, {row, event: m.envelope.event_id})
  }
  return violations
}
