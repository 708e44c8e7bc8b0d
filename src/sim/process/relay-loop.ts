import type {BusRecord, ProduceAck} from '../bus/bus.js'
import type {EventType} from '../domain/events.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Micros} from '../kernel/time.js'
import {MAX_PUBLISH_RETRIES, RELAY_BATCH_SIZE} from '../outbox/outbox.js'
import {nextIdlePoll, publishBackoff, RELAY_RESTART, type PublishingRelay, type RelayRow} from '../services/relay.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {draw} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {Clock} from './clock.js'
import type {RelayCrashPoint} from './crash-points.js'

/** The error the publish-error fault has the broker answer with (a retriable Kafka error). */
export const INJECTED_PUBLISH_ERROR = 'broker answered NOT_LEADER_OR_FOLLOWER (publish-error fault)'

/** A record the broker placed: where, and from when consumers can see it. */
export interface Appended {
  record: BusRecord
  ack: ProduceAck
  visibleAt: Micros
}

/** What a publisher reports back for one send, in this order: appended then acked, or failed. */
export interface SendOutcome {
  /**
   * The label of the step that delivers the ack (Clock.after): `relay:ack`, or `relay:ack-send`
   * when the relay sends its next row in that step (explore tells them apart: only a send touches
   * the broker's partitions).
   */
  readonly label?: string
  /** The broker placed the records (the simulation knows at once; live, with the ack). */
  appended(appended: readonly Appended[]): void
  /** The ack reached the relay: now it may write published_at. */
  acked(): void
  /**
   * Nothing was placed. `attempted`: the request reached a broker and counts against the rows'
   * retries; a broker that cannot be reached at all does not (kafkajs fails before sending).
   */
  failed(error: string, attempted: boolean): void
}

/**
 * How a shell hands rows to its bus. The one deliberate difference between the shells: the
 * simulated publisher sends a poll's rows one at a time, each waiting for its ack, as the real
 * relay did (a crash can fall between any two rows); the live publisher sends a poll's rows in one
 * produce request, which is what lets it reach raw kafkajs throughput (docs/benchmarks.md).
 */
export interface RelayPublisher {
  /** How many of a poll's rows one send takes. */
  readonly rowsPerSend: number
  send(records: () => BusRecord[], outcome: SendOutcome): void
}

export interface RelayLoopOptions {
  clock: Clock
  chooser: Chooser
  relay: PublishingRelay
  publisher: RelayPublisher
  /** The settings that apply to rows of a source service (one for a per-service relay). */
  settings: (source: ServiceName) => RelaySettings
  /** Decides, per acked row of a source, whether the relay crashes before writing published_at. */
  crashAfterPublish: (source: ServiceName) => boolean
  /** The crash fault for this relay's process, asked at every step boundary; absent: never. */
  crash?: () => boolean
  /** The publish-error fault: does the broker answer this send of a source's rows with an error? */
  publishError?: (source: ServiceName) => boolean
  /** Writes a send's published_at (or failure) marks in one transaction where one database holds them. */
  transaction?: (work: () => void) => void
  /**
   * Every write to the outboxes this relay polls is followed, in the same step, by `rowCommitted`
   * (with `wrote: false` only when no outbox row was written): racelab's own services. The relay
   * then knows when its outbox is empty (it polled fewer rows than a batch and marked them all)
   * and answers its next poll itself instead of asking SQLite. Absent for a consumer that may
   * write its outbox through its own SQL (a user's, a test's variant).
   */
  writesNotified?: boolean
  trace: (event: TraceEvent) => void
  /** A record became visible to consumers at `visibleAt`. */
  onAppended?: (appended: Appended) => void
}

/**
 * One outbox relay's loop (docs/domain.md#the-outbox-and-its-relay), for both shells: poll up to
 * 100 unpublished rows oldest first; with rows, wait the publish delay, publish, write
 * published_at for every acked row and loop at once. An idle relay has no scheduled step: its empty
 * polls change nothing but a counter, so when a row is committed the loop computes when the relay
 * would next have looked (or looks at once if the writer's notification reaches it). The crash
 * fault may stop it after a poll, after a publish (before its mark) and after a mark; the relay
 * restarts from its outbox alone after RELAY_RESTART.
 */
export class RelayLoop {
  /** Rows the broker acked (a crash included) and rows whose publish failed. */
  published = 0
  failures = 0
  private cancel: (() => void) | undefined
  private busy = false
  private stopped = false
  private lastPoll = 0
  private emptyPolls = 1
  private failuresInARow = 0
  private queue: RelayRow[] = []
  /**
   * writesNotified only. `complete`: the last poll returned every pollable row (fewer than a
   * batch) and no write came since; `knownEmpty`: so are they all marked, and a poll would return
   * nothing. Knowledge of the database, never a substitute for it: any write, failure or crash
   * drops it, and the next poll asks SQLite again.
   */
  private complete = false
  private knownEmpty = false
  /** The send waiting for its ack (explore's fingerprint): its rows, and the row the crash fault fell on (-1: none). */
  private inFlight: {rows: number[]; crashAt: number} | undefined
  private readonly publishNextStep = (): void => this.publishNext()

  constructor(private readonly o: RelayLoopOptions) {}

  get label(): string {
    return this.o.relay.label
  }

  /**
   * A writer of `source` committed an outbox row (and notified the relay, if wake works).
   * `wrote: false`: the writer committed, but no outbox row (the relay still looks as it would).
   */
  rowCommitted(source: ServiceName, wrote = true): void {
    if (wrote) this.forget()
    if (this.busy || this.cancel || this.stopped) return
    const {clock} = this.o
    const settings = this.o.settings(source)
    const now = clock.now()
    const at = settings.wake ? now : nextIdlePoll(this.lastPoll, this.emptyPolls, now, settings.pollInterval).at
    this.schedule(at - now, () => this.poll())
  }

  /** No step starts after this; a send in flight is ignored when it completes. */
  stop(): void {
    this.stopped = true
    this.cancel?.()
    this.cancel = undefined
  }

  private schedule(delay: Micros, step: () => void): void {
    this.cancel = this.o.clock.after(
      delay,
      () => {
        this.cancel = undefined
        if (!this.stopped) step()
      },
      `${this.o.relay.label}:${step === this.publishNextStep ? 'publish' : 'poll'}`,
    )
  }

  /**
   * The loop's own state, for explore's state hash: whether it is working, the rows it still has to
   * send, the send in flight (and where the crash fault fell in it), its idle-poll position.
   */
  fingerprint(now: Micros): string {
    const flight = this.inFlight ? `${this.inFlight.rows.join(',')}!${this.inFlight.crashAt}` : '-'
    return [this.label, this.busy, this.stopped, this.queue.map((r) => r.id).join(','), flight, now - this.lastPoll, this.emptyPolls, this.failuresInARow].join('|')
  }

  private poll(): void {
    const rows = this.knownEmpty ? [] : this.o.relay.poll()
    if (this.o.writesNotified) {
      this.complete = rows.length < RELAY_BATCH_SIZE
      this.knownEmpty = rows.length === 0
    }
    if (rows.length === 0) {
      this.busy = false
      this.lastPoll = this.o.clock.now()
      this.emptyPolls = 1
      return
    }
    this.busy = true
    if (this.crashes()) return this.crash(rows[0].id, 'after-poll')
    this.queue = rows
    this.schedule(draw(this.o.settings(rows[0].source).publishDelay, this.o.chooser, `${rows[0].source}-relay`), this.publishNextStep)
  }

  private publishNext(): void {
    const rows = this.queue.splice(0, this.o.publisher.rowsPerSend)
    if (rows.length === 0) {
      // Every row of a complete poll is marked: the poll that follows would find nothing.
      if (this.complete) this.knownEmpty = true
      this.poll() // found work: loop at once
      return
    }
    const {relay, clock} = this.o
    let crashAt = -1
    let crashPoint: RelayCrashPoint | undefined
    const outcome: SendOutcome = {
      label: `${relay.label}:${this.queue.length > 0 ? 'ack-send' : 'ack'}`,
      failed: (error, attempted) => {
        this.inFlight = undefined
        this.forget()
        if (this.stopped) return
        const retryIn = publishBackoff(this.failuresInARow++)
        this.failures += rows.length
        if (attempted) this.mark(() => rows.forEach((row) => relay.failed(row, error)))
        for (const row of rows) this.o.trace({t: clock.now(), svc: relay.label, ev: 'publish-failed', row: row.id, error, retryIn})
        // The row's last allowed attempt: it stays unpublished and is no longer polled (docs/domain.md).
        if (attempted) {
          for (const row of rows.filter((r) => r.retry_count + 1 >= MAX_PUBLISH_RETRIES)) {
            this.o.trace({t: clock.now(), svc: relay.label, ev: 'publish-given-up', row: row.id, attempts: row.retry_count + 1, error})
          }
        }
        this.queue = []
        this.schedule(retryIn, () => this.poll())
      },
      appended: (appended) => {
        if (this.stopped) return
        this.failuresInARow = 0
        const now = clock.now()
        rows.forEach((row, i) => {
          const {ack, record} = appended[i]
          this.o.trace({
            t: now,
            svc: relay.label,
            ev: 'published',
            type: row.event_type as EventType,
            key: row.event_key,
            row: row.id,
            partition: ack.partition,
            offset: ack.offset,
            eventId: record.headers.event_id,
          })
          this.o.onAppended?.(appended[i])
        })
        // relay-crash-after-publish: from the crashing row on, the broker has the messages but
        // published_at is never written, so the restarted relay sends them again (new event ids).
        crashAt = rows.findIndex((row) => {
          if (this.o.crashAfterPublish(row.source)) return true
          if (!this.crashes()) return false
          crashPoint = 'after-publish'
          return true
        })
        this.inFlight = {rows: rows.map((row) => row.id), crashAt}
      },
      acked: () => {
        this.inFlight = undefined
        if (this.stopped) return
        const now = clock.now()
        const acked = crashAt === -1 ? rows : rows.slice(0, crashAt)
        this.published += rows.length
        if (acked.length > 0) this.mark(() => acked.forEach((row) => relay.published(row, now)))
        if (crashAt !== -1) {
          this.forget()
          this.o.trace({t: now, svc: relay.label, ev: 'relay-crashed', row: rows[crashAt].id, restartIn: RELAY_RESTART, ...(crashPoint ? {point: crashPoint} : {})})
          this.queue = []
          this.schedule(RELAY_RESTART, () => this.poll())
          return
        }
        if (this.crashes()) return this.crash(rows[rows.length - 1].id, 'after-mark')
        this.publishNext()
      },
    }
    // publish-error: the broker got the request and answered it with an error.
    if (this.o.publishError && rows.some((row) => this.o.publishError!(row.source))) outcome.failed(INJECTED_PUBLISH_ERROR, true)
    else this.o.publisher.send(() => rows.map((row) => relay.recordFor(row)), outcome)
  }

  private crashes(): boolean {
    return this.o.crash?.() ?? false
  }

  /** The crash fault stopped the relay at `point` (at `row`): its queue is gone, it polls again after a restart. */
  private crash(row: number, point: RelayCrashPoint): void {
    this.forget()
    this.o.trace({t: this.o.clock.now(), svc: this.o.relay.label, ev: 'relay-crashed', row, restartIn: RELAY_RESTART, point})
    this.queue = []
    this.failuresInARow = 0
    this.schedule(RELAY_RESTART, () => this.poll())
  }

  /** What the relay knew of its outbox no longer holds (a write, a failed send, a crash). */
  private forget(): void {
    this.complete = false
    this.knownEmpty = false
  }

  private mark(work: () => void): void {
    if (this.o.transaction) this.o.transaction(work)
    else work()
  }
}
