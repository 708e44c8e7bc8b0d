import type {Routing} from '../domain/routing.js'
import {ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC, TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {stateAt, type StepState} from './batch-state-at.js'

/** One outbox row committed and not yet published (as far as the trace up to the cursor shows). */
export interface UnpublishedRow {
  row: number
  type: string
  batch: string | undefined
  /** Virtual time since the row was committed. */
  age: Micros
}

export interface OutboxState {
  service: 'bos' | 'file' | 'els'
  committed: number
  unpublished: UnpublishedRow[]
}

/** One topic partition: the end offset the relays appended to, and the offset ELS's group committed. */
export interface PartitionState {
  topic: string
  partition: number
  /** The next offset to be appended (one past the last message). */
  end: number
  /** ELS's group's committed offset, for the topics ELS reads (undefined for its own output topics). */
  committed: number | undefined
}

export interface PendingRow {
  batch: string
  ref: string
  kind: 'content' | 'failure'
  /** Virtual time the row has been waiting in ELS's pending table. */
  age: Micros
}

export interface SlotsState {
  batch: string
  slots: number
  free: number
  assigned: number
  failed: number
  ready: number
}

/** Everything the lab's panels show after the events 0..index of a run. */
export interface LabState extends StepState {
  outboxes: OutboxState[]
  partitions: PartitionState[]
  slots: SlotsState[]
  pending: PendingRow[]
}

const INPUT: readonly string[] = ELS_INPUT_TOPICS

/** The outbox a published row came from: the relay names it, the coordinated relay's event type does. */
function outboxOf(event: Extract<TraceEvent, {ev: 'published'}>): 'bos' | 'file' | 'els' {
  if (event.svc.startsWith('bos')) return 'bos'
  if (event.svc.startsWith('file')) return 'file'
  if (event.svc.startsWith('els')) return 'els'
  return event.type === TOPICS.batchEssaysRegistered ? 'bos' : 'file'
}

/** The topic a message of this event type went to: the shared topic for ELS's input under partition-key routing. */
const topicOf = (type: string, routing: Routing): string => (routing === 'shared-topic' && INPUT.includes(type) ? SHARED_BATCH_TOPIC : type)

/**
 * The lab's panels after the events `0..index` of a trace, derived from the trace alone (a pure
 * function: the lab recomputes it at every cursor move, so stepping back is the same fold over a
 * shorter prefix of the same deterministic run, which is what simulating again to that event gives).
 *
 * - outboxes: rows are numbered per outbox as the services commit them (BOS's registration row,
 *   the File Service's upload row, ELS's emitted events in order); a row is unpublished until a
 *   relay published it.
 * - partitions: the end offset is one past the last offset a relay appended; ELS's group commits
 *   a message's offset once it handled it, unless it crashed before the commit (Kafka redelivers).
 * - pending: what ELS buffered and has not drained or expired, with each row's age.
 */
export function labStateAt(trace: readonly TraceEvent[], index: number, routing: Routing = 'event-topics'): LabState {
  const base = stateAt(trace, index)
  const now = base.t
  const last = base.index
  const rows = {bos: new Map<number, {type: string; batch?: string; at: Micros}>(), file: new Map<number, {type: string; batch?: string; at: Micros}>(), els: new Map<number, {type: string; batch?: string; at: Micros}>()}
  const published = {bos: new Set<number>(), file: new Set<number>(), els: new Set<number>()}
  let elsRows = 0
  const ends = new Map<string, {topic: string; partition: number; end: number}>()
  const committed = new Map<string, number>()
  const pending = new Map<string, PendingRow & {at: Micros}>()
  let lastHandled: {key: string; offset: number; previous: number | undefined} | undefined
  for (let i = 0; i <= last; i++) {
    const event = trace[i]
    switch (event.ev) {
      case 'batch-registered':
        rows.bos.set(event.row, {type: TOPICS.batchEssaysRegistered, batch: event.batch, at: event.t})
        break
      case 'file-committed':
        rows.file.set(event.row, {type: event.outcome === 'provisioned' ? TOPICS.essayContentProvisioned : TOPICS.essayValidationFailed, batch: event.batch, at: event.t})
        break
      case 'published': {
        published[outboxOf(event)].add(event.row)
        const topic = topicOf(event.type, routing)
        const key = `${topic}#${event.partition}`
        const end = ends.get(key)
        ends.set(key, {topic, partition: event.partition, end: Math.max(end?.end ?? 0, event.offset + 1)})
        break
      }
      case 'handled': {
        const batch = 'batchId' in event.outcome ? event.outcome.batchId : undefined
        for (const type of event.emitted) rows.els.set(++elsRows, {type, batch, at: event.t})
        const key = `${topicOf(event.type, routing)}#${event.partition}`
        lastHandled = {key, offset: event.offset, previous: committed.get(key)}
        committed.set(key, Math.max(committed.get(key) ?? 0, event.offset + 1))
        if (event.outcome.kind === 'buffered') {
          const kind = event.type === TOPICS.essayValidationFailed ? 'failure' : 'content'
          pending.set(`${event.outcome.batchId}/${event.outcome.ref}`, {batch: event.outcome.batchId, ref: event.outcome.ref, kind, age: 0, at: event.t})
        }
        if (event.outcome.kind === 'registered') for (const [id, row] of pending) if (row.batch === event.outcome.batchId) pending.delete(id)
        break
      }
      case 'els-crashed':
        // A crash after the handling but before the offset commit: the offset stays where it was.
        if (lastHandled && lastHandled.offset === event.offset && event.point !== 'after-offset-commit' && event.point !== 'before-handling' && lastHandled.key.endsWith(`#${event.partition}`)) {
          if (lastHandled.previous === undefined) committed.delete(lastHandled.key)
          else committed.set(lastHandled.key, lastHandled.previous)
        }
        lastHandled = undefined
        break
      case 'expired':
        pending.delete(`${event.batch}/${event.ref}`)
        if (event.kind === 'content') rows.els.set(++elsRows, {type: TOPICS.excessContentProvisioned, batch: event.batch, at: event.t})
        break
      default:
        break
    }
  }
  const outbox = (service: 'bos' | 'file' | 'els'): OutboxState => ({
    service,
    committed: rows[service].size,
    unpublished: [...rows[service]]
      .filter(([row]) => !published[service].has(row))
      .map(([row, r]) => ({row, type: r.type, batch: r.batch, age: now - r.at})),
  })
  const partitions = [...ends.values()]
    .map((p) => ({...p, committed: INPUT.includes(p.topic) || p.topic === SHARED_BATCH_TOPIC ? (committed.get(`${p.topic}#${p.partition}`) ?? 0) : undefined}))
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  return {
    ...base,
    outboxes: [outbox('bos'), outbox('file'), outbox('els')],
    partitions,
    slots: base.batches
      .filter((b) => b.elsRegistered)
      .map((b) => ({batch: b.batchId, slots: b.slots, assigned: b.assigned, failed: b.failed, free: Math.max(0, b.slots - b.assigned - b.failed), ready: b.ready})),
    pending: [...pending.values()].map(({at, ...row}) => ({...row, age: now - at})),
  }
}

/** The index of the last event at or before virtual time `t` (0 when the run starts later). */
export function indexAtTime(trace: readonly TraceEvent[], t: Micros): number {
  let index = 0
  for (let i = 0; i < trace.length && trace[i].t <= t; i++) index = i
  return index
}
