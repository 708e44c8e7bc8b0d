import type {BusMessage} from '../bus/bus.js'
import {parseEnvelope} from '../domain/events.js'
import {OUTBOX_ROW_HEADER} from '../services/relay.js'
import type {Micros} from '../kernel/time.js'
import type {Bos} from '../services/bos.js'
import type {InputConsumer} from '../consumer/input-consumer.js'
import type {FileService} from '../services/file-service.js'
import type {LivenessModel, MalformedMessage, Observation, ObservedMetrics, ObservedMessage, ObservedOutboxRow} from './observation.js'

export interface ObserveInput {
  endedAt: Micros
  /** Why the run ended before it was quiet, if it did. */
  unsettled?: string
  liveness: LivenessModel
  /**
   * Every message the broker holds, in broker order (the memory bus) or as read (a real broker),
   * read once: a handed-over log (`bus/handed-over-log.ts`) lets each go as it is read.
   */
  messages: Iterable<BusMessage>
  bos: Bos
  files: FileService
  /** ELS (the first instance): its outbox, and its durable state when it exposes it; absent when it ran elsewhere. */
  els: InputConsumer | undefined
  /** The buffer metrics and the events that should have moved them, if the consumer keeps any. */
  metrics?: ObservedMetrics
}

/**
 * What the checker sees after a run, the same for both shells: ground truth from BOS and the
 * File Service, every message on the wire, ELS's durable state and what the outboxes kept.
 */
export function observe({endedAt, unsettled, liveness, messages: wire, bos, files, els, metrics}: ObserveInput): Observation {
  const messages: ObservedMessage[] = []
  const malformed: MalformedMessage[] = []
  for (const message of wire) {
    const read = readMessage(message)
    if (read.ok) messages.push(read.message)
    else malformed.push(read.malformed)
  }
  const unpublished: ObservedOutboxRow[] = []
  const outboxes = [['bos', bos.outbox] as const, ['file', files.outbox] as const, ...(els ? [['els', els.outbox] as const] : [])]
  for (const [service, outbox] of outboxes) {
    for (const row of outbox.leftUnpublished()) {
      unpublished.push({
        service,
        rowId: row.id,
        eventType: row.event_type,
        aggregateId: row.batch_id,
        ...(row.retry_count > 0 ? {failedPublishes: row.retry_count} : {}),
        ...(row.last_error === null ? {} : {lastError: row.last_error}),
      })
    }
  }
  return {
    batches: bos.batches(),
    uploads: files.uploads(),
    messages,
    malformed,
    // ELS that ran elsewhere (--els external) is judged from its topics alone: docs/black-box.md.
    els: els ? {...(els.state?.() ?? {trackers: [], pending: [], opaque: true}), ...(metrics === undefined ? {} : {metrics})} : {trackers: [], pending: [], opaque: true, external: true},
    unpublished,
    endedAt,
    ...(unsettled === undefined ? {} : {unsettled}),
    liveness,
  }
}

/** One message as the checker sees it: its envelope parsed, or why it is malformed. */
export function readMessage(message: BusMessage): {ok: true; message: ObservedMessage} | {ok: false; malformed: MalformedMessage} {
  const parsed = parseEnvelope(message.value)
  if (parsed.ok) {
    return {
      ok: true,
      message: {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        appendedAt: message.appendedAt,
        envelope: parsed.envelope,
        row: message.headers[OUTBOX_ROW_HEADER],
      },
    }
  }
  return {ok: false, malformed: {topic: message.topic, partition: message.partition, offset: message.offset, batchId: batchIdIn(message.value), error: parsed.error}}
}

/** `data.batch_id` of a value that is JSON but not a valid envelope, if it has one. */
function batchIdIn(value: string): string | undefined {
  try {
    const id = (JSON.parse(value) as {data?: {batch_id?: unknown}})?.data?.batch_id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}
