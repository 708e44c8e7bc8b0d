import type {MemoryBus} from '../bus/memory-bus.js'
import type {EventType} from '../domain/events.js'
import type {Simulation, Task} from '../kernel/simulation.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {nextIdlePoll, type PublishingRelay, type RelayRow} from '../services/relay.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import type {BrokerAvailability} from './broker-availability.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** How long a crashed relay takes to come back (process restart). */
export const RELAY_RESTART: Micros = ms(500)
const MAX_BACKOFF: Micros = 2 * SECOND

export interface RelayProcessOptions {
  sim: Simulation
  relay: PublishingRelay
  bus: MemoryBus
  /** The settings that apply to rows of a source service (one for a per-service relay). */
  settings: (source: ServiceName) => RelaySettings
  kafkaLatency: Delay
  broker: BrokerAvailability
  /** Chance in percent that the relay crashes after the broker acked a row of this source. */
  crashAfterPublish: (source: ServiceName) => number
  trace: (event: TraceEvent) => void
  onAppended: (visibleAt: Micros) => void
}

/**
 * Drives one relay in virtual time. An idle relay whose outbox is empty has no scheduled step:
 * its empty polls change nothing but a counter, so when a row is committed the process computes
 * when the relay would next have looked (or wakes it at once if notifications reach it).
 */
export class RelayProcess {
  private task: Task | undefined
  private busy = false
  private lastPoll = 0
  private emptyPolls = 1
  private failures = 0
  private queue: RelayRow[] = []

  constructor(private readonly o: RelayProcessOptions) {}

  /** A writer of `source` committed an outbox row (and notified the relay, if wake works). */
  rowCommitted(source: ServiceName): void {
    if (this.busy || this.task) return
    const {sim} = this.o
    const settings = this.o.settings(source)
    const at = settings.wake ? sim.now : nextIdlePoll(this.lastPoll, this.emptyPolls, sim.now, settings.pollInterval).at
    this.task = sim.at(at, () => this.poll())
  }

  private poll(): void {
    this.task = undefined
    const rows = this.o.relay.poll()
    if (rows.length === 0) {
      this.busy = false
      this.lastPoll = this.o.sim.now
      this.emptyPolls = 1
      return
    }
    this.busy = true
    this.queue = rows
    const delay = draw(this.o.settings(rows[0].source).publishDelay, this.o.sim.chooser)
    this.task = this.o.sim.after(delay, () => this.publishNext())
  }

  private publishNext(): void {
    this.task = undefined
    const {sim, relay, bus} = this.o
    const row = this.queue.shift()
    if (!row) {
      this.poll() // found work: loop at once
      return
    }
    const downUntil = this.o.broker.downUntil(sim.now)
    if (downUntil !== undefined) {
      // No broker answers: nothing was sent, so the row is untouched; back off and retry.
      const retryIn = Math.min(MAX_BACKOFF, ms(100) * 2 ** this.failures++)
      this.o.trace({t: sim.now, svc: relay.label, ev: 'publish-failed', row: row.id, error: 'broker unavailable', retryIn})
      this.queue = []
      this.task = sim.after(retryIn, () => this.poll())
      return
    }
    this.failures = 0
    const record = relay.recordFor(row)
    const latency = draw(this.o.kafkaLatency, sim.chooser)
    const message = bus.append(record, sim.now, latency)
    this.o.trace({
      t: sim.now,
      svc: relay.label,
      ev: 'published',
      type: row.event_type as EventType,
      key: row.event_key,
      row: row.id,
      partition: message.partition,
      offset: message.offset,
      eventId: record.headers.event_id,
    })
    this.o.onAppended(message.visibleAt)
    const crashes = sim.chooser.percent(this.o.crashAfterPublish(row.source))
    // The ack comes back after the broker latency; only then is published_at written.
    this.task = sim.after(latency, () => {
      if (crashes) {
        // The broker has the message, published_at was never written: it will be sent again.
        this.o.trace({t: sim.now, svc: relay.label, ev: 'relay-crashed', row: row.id, restartIn: RELAY_RESTART})
        this.queue = []
        this.task = sim.after(RELAY_RESTART, () => this.poll())
        return
      }
      relay.published(row, sim.now)
      this.publishNext()
    })
  }
}
