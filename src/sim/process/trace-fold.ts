import type {EventType} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {RelayMarks} from './relay-marks.js'

const NOTHING_READ: readonly string[] = Object.freeze([])

/** A source's index in `RelayMarks`, which keeps each service's rows apart: a row id is unique per service only. */
const SOURCE_INDEX: Readonly<Record<ServiceName, number>> = {bos: 0, file: 1, els: 2}

/**
 * What the judge reads of a trace, folded as the events happen, so that a run need not keep its
 * trace to be judged (a 250,000-file run holds no trace: docs/benchmarks.md#one-large-run-2026-12-01): the
 * commit times of the producers' rows, when each relay published each row for good, the ends of
 * every fault's recovery, and the few events the consumer's metrics and a handler's report read.
 * Folding a kept trace gives the same figures, so both shells and both paths judge alike.
 */
export class TraceFold {
  /** Events folded. */
  events = 0
  /** The time of the last event folded (0 before any). */
  lastAt: Micros = 0
  /** The latest end of a fault's recovery (a crash's restart, a failed publish's or handling's retry). */
  healedAt: Micros = 0
  /** BOS's row commits (batch-registered), the File Service's (file-committed) and both, in trace order. */
  private readonly committed = {bos: [] as Micros[], file: [] as Micros[], both: [] as Micros[]}
  /** Per relay label: when each row it sent was published for good. */
  private readonly relays = new Map<string, RelayMarks>()
  /**
   * The events a handler's report is read from (handled, expired, crashes, restarts, failures), in
   * trace order; empty when the fold was made without them (`consumerEvents: false`).
   */
  readonly consumerEvents: TraceEvent[] = []
  /** What ELS's metrics are checked against: each handled, expired, crash and restart event, reduced to what the check reads, in trace order. */
  readonly metricEvents: FoldedMetricEvent[] = []
  private readonly keepConsumerEvents: boolean
  private readonly undrained = new Map<string, FoldedMetricEvent>()

  /**
   * `consumerEvents: false`: keep only the reduced metric events, not every consumer event whole
   * (a large run handles 260,000 messages; only a user's handler's report reads them whole).
   */
  constructor(options: {consumerEvents?: boolean} = {}) {
    this.keepConsumerEvents = options.consumerEvents ?? true
  }

  static of(trace: readonly TraceEvent[]): TraceFold {
    const fold = new TraceFold()
    for (const event of trace) fold.add(event)
    return fold
  }

  add(event: TraceEvent): void {
    this.events++
    this.lastAt = event.t
    if ('restartIn' in event) this.healedAt = Math.max(this.healedAt, event.t + event.restartIn)
    else if ('retryIn' in event) this.healedAt = Math.max(this.healedAt, event.t + event.retryIn)
    switch (event.ev) {
      case 'batch-registered':
        this.committed.bos.push(event.t)
        this.committed.both.push(event.t)
        break
      case 'file-committed':
        this.committed.file.push(event.t)
        this.committed.both.push(event.t)
        break
      case 'published': {
        this.relay(event.svc).sent(event.row, SOURCE_INDEX[sourceOf(event.type)], event.t)
        break
      }
      case 'relay-crashed':
        // Crashed between the ack and published_at: the row is sent again (after a poll or a mark
        // nothing of the row was lost).
        if (event.point === undefined || event.point === 'after-publish') {
          this.relays.get(event.svc)?.lost(event.row)
        }
        break
      case 'handled':
        this.metricEvents.push(this.handledEvent(event.svc, event.outcome.kind, event.outcome.kind === 'registered' ? event.outcome.drained : 0, event.emitted))
        if (this.keepConsumerEvents) this.consumerEvents.push(event)
        break
      case 'expired':
        this.metricEvents.push({svc: event.svc, kind: 'expired'})
        if (this.keepConsumerEvents) this.consumerEvents.push(event)
        break
      case 'els-crashed':
      case 'els-restarted':
        this.metricEvents.push({svc: event.svc, kind: 'reset'})
        if (this.keepConsumerEvents) this.consumerEvents.push(event)
        break
      case 'handle-failed':
        if (this.keepConsumerEvents) this.consumerEvents.push(event)
        break
      default:
        break
    }
  }

  /** When each outbox row of `sources` was committed, in trace (time) order. */
  commitTimes(sources: readonly ServiceName[]): Micros[] {
    const bos = sources.includes('bos')
    const file = sources.includes('file')
    return [...(bos && file ? this.committed.both : bos ? this.committed.bos : file ? this.committed.file : [])]
  }

  /**
   * When each row of a relay was published for good, sorted: its ack, unless the relay crashed on
   * that very row before writing published_at (then the row waits for the restarted relay to send it again).
   */
  markTimes(label: string): Micros[] {
    return this.relays.get(label)?.times() ?? []
  }

  /**
   * The metrics check reads a handling's emitted topics only when it drained the buffer; every
   * other handling of one service and outcome reads alike, so they share one object (a large run
   * handles 260,000 messages, and one object each was 40 MiB it held to the end).
   */
  private handledEvent(svc: string, outcome: string, drained: number, emitted: readonly string[]): FoldedMetricEvent {
    if (drained > 0) return {svc, kind: 'handled', outcome, drained, emitted}
    const key = `${svc}|${outcome}`
    let shared = this.undrained.get(key)
    if (shared === undefined) {
      shared = Object.freeze({svc, kind: 'handled', outcome, drained: 0, emitted: NOTHING_READ})
      this.undrained.set(key, shared)
    }
    return shared
  }

  private relay(label: string) {
    let relay = this.relays.get(label)
    if (!relay) {
      relay = new RelayMarks()
      this.relays.set(label, relay)
    }
    return relay
  }
}

/** A consumer event as ELS's metrics check reads it (`check/observation.ts#MetricEvent`), by the service that traced it. */
export type FoldedMetricEvent =
  | {svc: string; kind: 'handled'; outcome: string; drained: number; emitted: readonly string[]}
  | {svc: string; kind: 'expired'}
  | {svc: string; kind: 'reset'}

function sourceOf(type: EventType): ServiceName {
  if (type === TOPICS.batchEssaysRegistered) return 'bos'
  return type === TOPICS.essayContentProvisioned || type === TOPICS.essayValidationFailed ? 'file' : 'els'
}
