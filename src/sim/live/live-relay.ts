import type {BusRecord, ProduceAck} from '../bus/bus.js'
import {describeError} from '../bus/kafkajs-bus.js'
import type {EventType} from '../domain/events.js'
import type {Chooser} from '../kernel/chooser.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {idleWait, type PublishingRelay, type RelayRow} from '../services/relay.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {draw} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {WallClock} from './clock.js'

/** What a live relay needs from the bus: many records in one request, one ack per record. */
export interface BatchPublisher {
  produceBatch(records: readonly BusRecord[]): Promise<ProduceAck[]>
}

export interface LiveRelayOptions {
  relay: PublishingRelay
  bus: BatchPublisher
  clock: WallClock
  chooser: Chooser
  /** The settings that apply to rows of a source service (one for a per-service relay). */
  settings: (source: ServiceName) => RelaySettings
  /** Idle poll interval after the adaptive warm-up. */
  pollInterval: Micros
  /** Runs the marking of a poll's rows in one transaction of their database (optional). */
  transaction?: (work: () => void) => void
  /** Chance in percent that the relay "crashes" after the broker acked (relay-crash-after-publish). */
  crashAfterPublish?: (source: ServiceName) => number
  trace: (event: TraceEvent) => void
  /** Every broker ack, before published_at is written. */
  onAck?: (row: RelayRow, ack: ProduceAck, record: BusRecord, at: Micros) => void
}

/** How long a "crashed" relay takes to come back, as in the simulation. */
export const LIVE_RELAY_RESTART: Micros = ms(500)
const MAX_BACKOFF: Micros = 2 * SECOND

/**
 * One outbox relay on the wall clock: the same loop the simulated relay runs, with real waits.
 * Poll up to 100 unpublished rows oldest first; when there are none, wait adaptively (0.1 s for
 * the first 3 empty polls, 1 s until 10, then the poll interval), cut short by a writer's
 * notification only if `wake` reaches this relay. When there are rows: wait the relay's publish
 * delay, publish them (one produce request, one ack per row), write published_at for every acked
 * row, and loop at once. A failed publish records retry_count/last_error on every row of the
 * request (Relay.failed) and backs off; the rows stay unpublished until a publish succeeds (or
 * until they exhausted their retries, as the real relay gives up after 5).
 */
export class LiveRelay {
  published = 0
  failures = 0
  private running = false
  private loop: Promise<void> | undefined
  private wakeIdle: (() => void) | undefined
  private lastError = ''

  constructor(private readonly o: LiveRelayOptions) {}

  get label(): string {
    return this.o.relay.label
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** A writer of `source` committed a row: wakes an idle relay at once if notifications reach it. */
  rowCommitted(source: ServiceName): void {
    // A row committed while the relay polls or publishes needs no wake: it loops at once after
    // work, and polls again before it sleeps.
    if (this.o.settings(source).wake) this.wakeIdle?.()
  }

  /** Ends the loop after the current step (a back-off or publish delay ends with `clock.stop()`). */
  async stop(): Promise<void> {
    this.running = false
    this.wakeIdle?.()
    await this.loop
  }

  private async run(): Promise<void> {
    const {relay, clock} = this.o
    let emptyPolls = 0
    let failuresInARow = 0
    while (this.running && !clock.isStopped) {
      const rows = relay.poll()
      if (rows.length === 0) {
        emptyPolls++
        const wait = clock.sleep(idleWait(emptyPolls, this.o.pollInterval))
        this.wakeIdle = wait.wake
        await wait.done
        this.wakeIdle = undefined
        continue
      }
      emptyPolls = 0
      const delay = draw(this.o.settings(rows[0].source).publishDelay, this.o.chooser)
      if (delay > 0) await clock.sleep(delay).done
      if (clock.isStopped) break
      const ok = await this.publish(rows)
      if (ok) {
        failuresInARow = 0
      } else {
        const retryIn = Math.min(MAX_BACKOFF, ms(100) * 2 ** failuresInARow++)
        for (const row of rows) {
          this.o.trace({t: clock.now(), svc: relay.label, ev: 'publish-failed', row: row.id, error: this.lastError, retryIn})
        }
        await clock.sleep(retryIn).done
      }
    }
  }

  /** Publishes one poll's rows; true when every row was acked (crashes included). */
  private async publish(rows: RelayRow[]): Promise<boolean> {
    const {relay, clock} = this.o
    const records = rows.map((row) => relay.recordFor(row))
    let acks: ProduceAck[]
    try {
      acks = await this.o.bus.produceBatch(records)
    } catch (error) {
      this.lastError = describeError(error)
      this.failures += rows.length
      const mark = (): void => {
        for (const row of rows) relay.failed(row, this.lastError)
      }
      if (this.o.transaction) this.o.transaction(mark)
      else mark()
      return false
    }
    const now = clock.now()
    let crashedAt = -1
    rows.forEach((row, i) => {
      this.o.onAck?.(row, acks[i], records[i], now)
      this.o.trace({
        t: now,
        svc: relay.label,
        ev: 'published',
        type: row.event_type as EventType,
        key: row.event_key,
        row: row.id,
        partition: acks[i].partition,
        offset: acks[i].offset,
        eventId: records[i].headers.event_id,
      })
    })
    // relay-crash-after-publish: the broker has the messages from the crashing row on, their
    // published_at is never written, so the restarted relay sends them again (new event ids).
    const crash = this.o.crashAfterPublish
    if (crash) crashedAt = rows.findIndex((row) => this.o.chooser.chance(crash(row.source), 100))
    const acked = crashedAt === -1 ? rows : rows.slice(0, crashedAt)
    const mark = (): void => {
      for (const row of acked) relay.published(row, now)
    }
    if (this.o.transaction) this.o.transaction(mark)
    else mark()
    this.published += rows.length
    if (crashedAt !== -1) {
      this.o.trace({t: now, svc: relay.label, ev: 'relay-crashed', row: rows[crashedAt].id, restartIn: LIVE_RELAY_RESTART})
      await clock.sleep(LIVE_RELAY_RESTART).done
    }
    return true
  }
}
