import type {Violation} from '../invariant.js'
import type {Observation, ObservedMessage} from '../observation.js'
import {rowNumber, rowService} from '../outbox-row.js'
import {RowsSeen} from '../rows-seen.js'

/** Where a message sits on the broker; what else the check reads of it comes through a `RelayOrderReader`. */
export interface BrokerPosition {
  topic: string
  partition: number
  offset: number
}

/** How the check reads a message: where it sits, its outbox row header, and (only for a violation) its event id and batch. */
export interface RelayOrderReader<M> {
  at(message: M): BrokerPosition
  row(message: M): string | undefined
  eventId(message: M): string
  batchId(message: M): string
}

const OBSERVED: RelayOrderReader<ObservedMessage> = {
  at: (m) => m,
  row: (m) => m.row,
  eventId: (m) => m.envelope.event_id,
  batchId: (m) => m.envelope.data.batch_id,
}

/**
 * relay-commit-order: on each partition, a service's rows first appear in the order they were
 * committed (row ids increasing). A re-send may repeat a row later; a row overtaking an older one
 * of the same service on the same partition is a relay that broke the outbox's order.
 */
export function relayCommitOrder(obs: Observation): Violation[] {
  return relayCommitViolations(obs.messages, OBSERVED)
}

/** The check over any messages (a large run's judge reads the broker's records, parsing only those it reports). */
export function relayCommitViolations<M>(messages: readonly M[], read: RelayOrderReader<M>): Violation[] {
  const violations: Violation[] = []
  const seen = new RowsSeen()
  const last = new Map<string, {row: number; message: M}>()
  const ordered = [...messages].sort((x, y) => {
    const a = read.at(x)
    const b = read.at(y)
    return (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || a.offset - b.offset
  })
  for (const m of ordered) {
    const {topic, partition} = read.at(m)
    const header = read.row(m)
    const service = rowService(header)
    const row = rowNumber(header)
    if (service === undefined || row === undefined || !seen.first(header!, service, row)) continue
    const lane = `${topic}|${partition}|${service}`
    const before = last.get(lane)
    if (before !== undefined && row < before.row) {
      violations.push({
        invariant: 'relay-commit-order',
        batchId: read.batchId(m),
        detail: `${service} outbox row ${row} reached ${topic} p${partition} after row ${before.row}, which was committed later`,
        events: [read.eventId(before.message), read.eventId(m)],
      })
    }
    if (before === undefined || row > before.row) last.set(lane, {row, message: m})
  }
  return violations
}
