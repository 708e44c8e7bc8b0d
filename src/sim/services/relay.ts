import type {BusRecord} from '../bus/bus.js'
import {withEventId} from '../domain/envelope.js'
import {sharedTopicName} from '../domain/topics.js'
import type {IdSource} from '../domain/ids.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {RELAY_BATCH_SIZE, type Outbox, type OutboxRow} from '../outbox/outbox.js'
import type {ServiceName} from '../sqlite/service-db.js'

export interface RelayConfig {
  /** Extra time the relay waits after finding rows before it publishes them. */
  publishDelay: Micros
  /** Idle poll interval after the adaptive warm-up (0.1 s testing, 1 s dev, 5 s production). */
  pollInterval: Micros
  /** Whether the writer's notification reaches this relay (the real BOS notified the wrong key). */
  wake: boolean
}

export const DEFAULT_POLL_INTERVAL = ms(100)

/** The header naming the outbox row a record was published from: `service:rowId`. */
export const OUTBOX_ROW_HEADER = 'outbox_row'

/**
 * How long an idle relay waits after its `emptyPolls`-th consecutive empty poll: 0.1 s for the
 * first 3, 1 s until 10, then the configured poll interval.
 */
export function idleWait(emptyPolls: number, pollInterval: Micros): Micros {
  if (emptyPolls <= 3) return ms(100)
  if (emptyPolls <= 10) return SECOND
  return pollInterval
}

/**
 * The first idle poll at or after `time`, for a relay that made its `emptyPolls`-th empty poll
 * at `lastPoll`. Idle polls that find nothing change nothing but this counter, so a shell can
 * compute when the relay would next look instead of simulating every empty poll.
 */
export function nextIdlePoll(
  lastPoll: Micros,
  emptyPolls: number,
  time: Micros,
  pollInterval: Micros,
): {at: Micros; emptyPolls: number} {
  let at = lastPoll
  let polls = emptyPolls
  while (polls <= 10) {
    at += idleWait(polls, pollInterval)
    if (at >= time) return {at, emptyPolls: polls}
    polls++
  }
  // Past the warm-up the interval is constant: jump straight there.
  const steps = Math.max(1, Math.ceil((time - at) / pollInterval))
  return {at: at + steps * pollInterval, emptyPolls: polls + steps - 1}
}

/** How long a relay waits before retrying after its `failuresInARow`-th failed publish in a row (0-based). */
export function publishBackoff(failuresInARow: number): Micros {
  return Math.min(MAX_BACKOFF, ms(100) * 2 ** failuresInARow)
}

const MAX_BACKOFF: Micros = 2 * SECOND

/** How long a crashed relay takes to come back (process restart). */
export const RELAY_RESTART: Micros = ms(500)

/** An outbox row as a relay holds it: tagged with the service whose outbox it came from. */
export type RelayRow = OutboxRow & {source: ServiceName}

/** What a relay process drives: one service's relay, or the coordinated relay over several. */
export interface PublishingRelay {
  /** Name in timelines: `bos-relay`, `coordinated-relay`. */
  readonly label: string
  /** Up to one relay batch of unpublished rows, oldest first. */
  poll(): RelayRow[]
  recordFor(row: RelayRow): BusRecord
  published(row: RelayRow, now: Micros): void
  failed(row: RelayRow, error: string): void
}

/**
 * The outbox relay's work, one step at a time: read up to 100 unpublished rows oldest first,
 * publish each and wait for the ack, then set published_at. The shell decides when steps run.
 */
export class Relay implements PublishingRelay {
  readonly label: string

  constructor(
    readonly service: ServiceName,
    private readonly outbox: Outbox,
    private readonly ids: IdSource,
  ) {
    this.label = `${service}-relay`
  }

  poll(): RelayRow[] {
    const rows = this.outbox.unpublished() as RelayRow[]
    for (const row of rows) row.source = this.service
    return rows
  }

  /**
   * The record to publish. Like the real relay, every publish carries a NEW event_id; the
   * `outbox_row` header names the committed row it comes from, so the checker can tell a re-send
   * (the same row again) from two events that happen to be alike (two rows).
   */
  recordFor(row: OutboxRow): BusRecord {
    const eventId = this.ids.eventId()
    return {
      topic: sharedTopicName(row.topic),
      key: row.event_key,
      value: withEventId(row.event_data, eventId),
      headers: {event_id: eventId, event_type: sharedTopicName(row.event_type), [OUTBOX_ROW_HEADER]: `${this.service}:${row.id}`},
    }
  }

  published(row: OutboxRow, now: Micros): void {
    this.outbox.markPublished(row.id, now)
  }

  failed(row: OutboxRow, error: string): void {
    this.outbox.recordFailure(row.id, error)
  }
}

/**
 * The relay-coordination remedy: one relay reads several outboxes and publishes their rows in
 * global commit order (created_at, then the order the relays were given). It couples the
 * services and serialises their publishing: that is its throughput price.
 */
export class CoordinatedRelay implements PublishingRelay {
  readonly label = 'coordinated-relay'
  private readonly bySource: Map<ServiceName, Relay>

  constructor(private readonly relays: readonly Relay[]) {
    this.bySource = new Map(relays.map((relay) => [relay.service, relay]))
  }

  poll(): RelayRow[] {
    const rows = this.relays.flatMap((relay) => relay.poll())
    const rank = (row: RelayRow) => this.relays.findIndex((relay) => relay.service === row.source)
    rows.sort((a, b) => a.created_at - b.created_at || rank(a) - rank(b) || a.id - b.id)
    return rows.slice(0, RELAY_BATCH_SIZE)
  }

  recordFor(row: RelayRow): BusRecord {
    return this.bySource.get(row.source)!.recordFor(row)
  }

  published(row: RelayRow, now: Micros): void {
    this.bySource.get(row.source)!.published(row, now)
  }

  failed(row: RelayRow, error: string): void {
    this.bySource.get(row.source)!.failed(row, error)
  }
}
