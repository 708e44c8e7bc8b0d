import type {MemoryBus} from '../bus/memory-bus.js'
import type {EventType} from '../domain/events.js'
import type {Simulation, Task} from '../kernel/simulation.js'
import type {OutboxRow} from '../outbox/outbox.js'
import {nextIdlePoll, type Relay} from '../services/relay.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {RelaySettings} from '../scenario/scenario.js'
import type {TraceEvent} from './trace.js'

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
  private queue: OutboxRow[] = []

  constructor(
    private readonly sim: Simulation,
    private readonly relay: Relay,
    private readonly bus: MemoryBus,
    private readonly settings: RelaySettings,
    private readonly kafkaLatency: Delay,
    private readonly trace: (event: TraceEvent) => void,
    private readonly onAppended: (visibleAt: number) => void,
  ) {}

  /** The writer committed an outbox row (and, if wake works, notified the relay). */
  rowCommitted(): void {
    if (this.busy || this.task) return
    const now = this.sim.now
    const at = this.settings.wake
      ? now
      : nextIdlePoll(this.lastPoll, this.emptyPolls, now, this.settings.pollInterval).at
    this.task = this.sim.at(at, () => this.poll())
  }

  private poll(): void {
    this.task = undefined
    const rows = this.relay.poll()
    if (rows.length === 0) {
      this.busy = false
      this.lastPoll = this.sim.now
      this.emptyPolls = 1
      return
    }
    this.busy = true
    this.queue = rows
    this.sim.after(draw(this.settings.publishDelay, this.sim.chooser), () => this.publishNext())
  }

  private publishNext(): void {
    const row = this.queue.shift()
    if (!row) {
      this.poll() // found work: loop at once
      return
    }
    const record = this.relay.recordFor(row)
    const latency = draw(this.kafkaLatency, this.sim.chooser)
    const message = this.bus.append(record, this.sim.now, latency)
    this.trace({
      t: this.sim.now,
      svc: `${this.relay.service}-relay`,
      ev: 'published',
      type: row.event_type as EventType,
      key: row.event_key,
      row: row.id,
      partition: message.partition,
      offset: message.offset,
      eventId: record.headers.event_id,
    })
    this.onAppended(message.visibleAt)
    // The ack comes back after the broker latency; only then is published_at written.
    this.sim.after(latency, () => {
      this.relay.published(row, this.sim.now)
      this.publishNext()
    })
  }
}
