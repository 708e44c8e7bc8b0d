import {TOPICS} from '../sim/domain/topics.js'
import {formatSeconds} from '../sim/kernel/time.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'

/** Event types as the swimlane (and the lab's panels) name them. */
export const SHORT: Record<string, string> = {
  [TOPICS.batchEssaysRegistered]: 'Registered',
  [TOPICS.essayContentProvisioned]: 'Content',
  [TOPICS.essayValidationFailed]: 'Failed',
  [TOPICS.excessContentProvisioned]: 'Excess',
  [TOPICS.batchEssaysReady]: 'Ready',
  [TOPICS.essaySlotAssigned]: 'SlotAssigned',
}

/** Column order: producers first, then the relays, then ELS, as the causal order runs. */
const PREFERRED = ['bos', 'file', 'bos-relay', 'file-relay', 'coordinated-relay', 'els', 'els-relay']

export interface SwimlaneRow {
  time: string
  column: number
  text: string
  /** True for the events of the harmful reordering (ELS seeing input before registration). */
  harmful: boolean
}

export interface SwimlaneModel {
  columns: string[]
  rows: SwimlaneRow[]
}

function cell(event: TraceEvent): string {
  switch (event.ev) {
    case 'batch-registered':
      return `register ${event.batch}`
    case 'upload-accepted':
      return `upload ${event.file}`
    case 'upload-refused':
      return `REFUSED ${event.file}`
    case 'file-committed':
      return `commit ${event.file} ${event.outcome === 'provisioned' ? 'ok' : 'invalid'}`
    case 'published':
      return `pub ${SHORT[event.type] ?? event.type} ${event.key}`
    case 'handled': {
      const o = event.outcome
      const name = SHORT[event.type] ?? 'msg'
      switch (o.kind) {
        case 'registered':
          return `${name} ${o.batchId}: slots${o.drained ? ` +${o.drained} drained` : ''}`
        case 'assigned':
          return `${name} -> ${o.essayId}`
        case 'excess':
          return `${name} ${o.textStorageId.replace('text-', '')}: EXCESS`
        case 'buffered':
          return `${name} ${o.ref.replace('text-', '')}: buffered`
        case 'failure-counted':
          return `${name} ${o.fileUploadId}: counted`
        case 'failure-lost':
          return `${name} ${o.fileUploadId}: LOST`
        case 'duplicate':
          return `${name}: duplicate`
        case 'already-registered':
          return `${name}: already known`
        case 'dead-lettered':
          return `${name}: dead-letter`
        case 'handler':
          return `${name} ${o.ref.replace('text-', '')}: handler${event.emitted.length > 0 ? ` -> ${event.emitted.map((t) => SHORT[t] ?? t).join(', ')}` : ''}`
      }
      break
    }
    case 'expired':
      return `EXPIRED ${event.ref.replace('text-', '')}`
    case 'publish-failed':
      return `publish FAILED`
    case 'publish-given-up':
      return `GAVE UP row`
    case 'broker-unreachable':
      return `broker UNREACHABLE`
    case 'broker-reachable':
      return `broker back`
    case 'relay-crashed':
      return event.point === undefined || event.point === 'after-publish' ? `CRASH after ack` : `CRASH ${event.point}`
    case 'els-crashed':
      return event.point === undefined || event.point === 'after-handling' ? `CRASH before commit` : `CRASH ${event.point}`
    case 'crashed':
      return `CRASH ${event.point}`
    case 'els-restarted':
      return `RESTART`
    case 'els-rejoined':
      return `rejoined`
    case 'handle-failed':
      return `ROLLBACK, retry`
    case 'commit-rejected':
      return `commit rejected`
  }
  return ''
}

/**
 * A swimlane of a (shrunk) run: one column per service, one row per event. The events where
 * ELS handled a batch's content or failure before that batch's registration are marked.
 */
export function swimlane(trace: readonly TraceEvent[]): SwimlaneModel {
  const seen = new Set(trace.map((e) => e.svc))
  const columns = [...PREFERRED.filter((c) => seen.has(c)), ...[...seen].filter((c) => !PREFERRED.includes(c)).sort()]
  const registeredAt = new Map<string, number>()
  for (const e of trace) {
    if (e.ev === 'handled' && (e.outcome.kind === 'registered' || (e.outcome.kind === 'handler' && e.outcome.call === 'onRegistered')) && !registeredAt.has(e.outcome.batchId)) {
      registeredAt.set(e.outcome.batchId, e.t)
    }
  }
  const rows = trace.map((event) => {
    let harmful = false
    if (event.ev === 'handled' && event.type !== TOPICS.batchEssaysRegistered && 'batchId' in event.outcome) {
      const at = registeredAt.get(event.outcome.batchId)
      harmful = at === undefined || event.t < at
    }
    return {time: formatSeconds(event.t), column: columns.indexOf(event.svc), text: cell(event), harmful}
  })
  return {columns, rows}
}

export const LANE_WIDTH = 26

/** The swimlane as plain text lines (for --json and logs). */
export function swimlaneLines(model: SwimlaneModel): string[] {
  const lane = (text: string) => (text.length > LANE_WIDTH - 1 ? text.slice(0, LANE_WIDTH - 2) + '…' : text).padEnd(LANE_WIDTH)
  const header = `${''.padEnd(11)}${model.columns.map(lane).join('')}`.trimEnd()
  const lines = [header]
  for (const row of model.rows) {
    const cells = model.columns.map((_, i) => lane(i === row.column ? row.text : i < row.column ? '·' : ''))
    lines.push(`${row.harmful ? '!' : ' '} ${row.time.padStart(8)} ${cells.join('')}`.trimEnd())
  }
  return lines
}
