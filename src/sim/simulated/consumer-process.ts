import type {MemoryBus} from '../bus/memory-bus.js'
import type {BusMessage} from '../bus/bus.js'
import type {Simulation, Task} from '../kernel/simulation.js'
import {ms, type Micros} from '../kernel/time.js'
import type {ElsHandled} from '../services/els.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {BrokerAvailability} from './broker-availability.js'
import type {DeliveryPlan} from '../process/delivery-plan.js'
import type {TraceEvent} from '../trace/trace-event.js'

export const ELS_GROUP = 'essay-lifecycle-service'
/** How long a crashed or restarted ELS instance takes to rejoin the group. */
export const ELS_RESTART: Micros = ms(500)
/** kafkajs retries a failed eachMessage after a backoff; so does the simulated consumer. */
export const HANDLE_RETRY: Micros = ms(100)

/** What an ELS instance must offer the consumer loop (the real Els, or a buggy variant in tests). */
export interface ElsInstance {
  /** The consumer took the message; its handling time starts now. */
  prepare?(message: BusMessage, now: Micros): void
  handle(message: BusMessage, now: Micros): ElsHandled
  restart(): void
}

export interface ConsumerFaults {
  /** Chance in percent, per handled message, of crashing before the offset commit. */
  crashBeforeCommit: number
  /** Chance in percent, per handled message, of a restart right after it. */
  restart: number
}

export interface ConsumerProcessOptions {
  sim: Simulation
  bus: MemoryBus
  instanceId: string
  els: ElsInstance
  topics: readonly string[]
  handling: Delay
  broker: BrokerAvailability
  faults: ConsumerFaults
  plan?: DeliveryPlan
  trace: (event: TraceEvent) => void
  onHandled: (handled: ElsHandled) => void
  /** The group rebalanced (this instance left or joined): every instance should fetch again. */
  onRebalance: () => void
}

/**
 * One ELS instance in the consumer group, handling one message at a time: fetch the head of an
 * assigned partition (the chooser, or a delivery plan, picks when several are ready), handle it
 * in one transaction, then commit the offset. A commit from before a rebalance is rejected, as
 * Kafka rejects a commit from an old generation.
 */
export class ConsumerProcess {
  private busy = false
  private member = false
  private wakeTask: Task | undefined
  private epoch = 0

  constructor(private readonly o: ConsumerProcessOptions) {}

  get instanceId(): string {
    return this.o.instanceId
  }

  join(): void {
    this.member = true
    this.o.bus.join(ELS_GROUP, this.o.instanceId, this.o.topics)
  }

  /** A message becomes visible at `visibleAt` on some partition. */
  messageAppended(visibleAt: Micros): void {
    if (this.busy || !this.member) return
    if (this.wakeTask && this.wakeTask.time <= visibleAt) return
    this.o.sim.cancel(this.wakeTask)
    this.wakeTask = this.o.sim.at(visibleAt, () => this.fetch())
  }

  /** Look again now (after a rebalance moved partitions). */
  kick(): void {
    this.messageAppended(this.o.sim.now)
  }

  private fetch(): void {
    this.wakeTask = undefined
    const {sim, bus, instanceId} = this.o
    if (this.busy || !this.member) return
    const down = this.o.broker.downUntil(sim.now)
    if (down !== undefined) {
      this.wakeTask = sim.at(down, () => this.fetch())
      return
    }
    const ready = bus.deliverable(ELS_GROUP, instanceId, sim.now)
    if (ready.length === 0) {
      const next = bus.nextVisibleAt(ELS_GROUP, instanceId)
      if (next !== undefined && next > sim.now) this.wakeTask = sim.at(next, () => this.fetch())
      return
    }
    const picked = sim.chooser.pick(ready.length)
    const choice = this.o.plan ? this.o.plan.choose(ready, picked) : picked
    if (choice === 'wait') {
      // A delivery plan holds these back: look again when a later head becomes visible, or when
      // the plan moves on. Plain runs and exact replays never get here.
      const later = bus.deliverable(ELS_GROUP, instanceId, Number.MAX_SAFE_INTEGER).filter((m) => m.visibleAt > sim.now)
      if (later.length > 0) this.wakeTask = sim.at(Math.min(...later.map((m) => m.visibleAt)), () => this.fetch())
      this.o.plan?.onWait?.(() => this.kick())
      return
    }
    const head = ready[choice]
    const message = bus.take(ELS_GROUP, instanceId, head.topic, head.partition)
    this.o.els.prepare?.(message, sim.now)
    this.busy = true
    const generation = bus.generation(ELS_GROUP)
    const epoch = this.epoch
    sim.after(draw(this.o.handling, sim.chooser), () => this.handle(message, generation, epoch))
  }

  private handle(message: BusMessage, generation: number, epoch: number): void {
    const {sim, bus} = this.o
    if (epoch !== this.epoch) return // this instance crashed meanwhile
    let handled: ElsHandled
    try {
      handled = this.o.els.handle(message, sim.now)
    } catch (error) {
      // The transaction rolled back; the offset stays uncommitted and the message is retried.
      this.o.trace({
        t: sim.now,
        svc: this.label,
        ev: 'handle-failed',
        type: message.headers.event_type ?? message.topic,
        partition: message.partition,
        offset: message.offset,
        error: (error as Error).message,
        retryIn: HANDLE_RETRY,
      })
      sim.after(HANDLE_RETRY, () => this.handle(message, generation, epoch))
      return
    }
    this.o.trace({
      t: sim.now,
      svc: this.label,
      ev: 'handled',
      type: message.headers.event_type ?? message.topic,
      partition: message.partition,
      offset: message.offset,
      outcome: handled.outcome,
      emitted: handled.emitted,
    })
    this.o.plan?.delivered(message)
    this.o.onHandled(handled)
    if (sim.chooser.percent(this.o.faults.crashBeforeCommit)) {
      this.o.trace({t: sim.now, svc: this.label, ev: 'els-crashed', partition: message.partition, offset: message.offset, restartIn: ELS_RESTART})
      this.goDown()
      return
    }
    if (bus.generation(ELS_GROUP) === generation) {
      bus.commit(ELS_GROUP, message.topic, message.partition, message.offset + 1)
    } else {
      this.o.trace({t: sim.now, svc: this.label, ev: 'commit-rejected', partition: message.partition, offset: message.offset})
    }
    this.busy = false
    if (sim.chooser.percent(this.o.faults.restart)) {
      this.o.trace({t: sim.now, svc: this.label, ev: 'els-restarted', restartIn: ELS_RESTART})
      this.goDown()
      return
    }
    this.fetch()
  }

  /** Leave the group, lose process memory, rejoin after a restart. */
  private goDown(): void {
    const {sim, bus} = this.o
    this.epoch++
    this.busy = false
    this.member = false
    sim.cancel(this.wakeTask)
    this.wakeTask = undefined
    bus.leave(ELS_GROUP, this.o.instanceId)
    this.o.els.restart()
    this.o.onRebalance()
    sim.after(ELS_RESTART, () => {
      this.join()
      this.o.trace({
        t: sim.now,
        svc: this.label,
        ev: 'els-rejoined',
        partitions: bus.assignment(ELS_GROUP, this.o.instanceId).length,
      })
      this.o.onRebalance()
    })
  }

  private get label(): string {
    return this.o.instanceId
  }
}
