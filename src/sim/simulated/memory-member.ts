import type {BusMessage} from '../bus/bus.js'
import type {MemoryBus} from '../bus/memory-bus.js'
import type {Simulation, Task} from '../kernel/simulation.js'
import type {Micros} from '../kernel/time.js'
import type {DeliveryPlan} from '../process/delivery-plan.js'
import {ELS_GROUP} from '../process/els-group.js'
import type {ConsumerLoop, GroupMember} from '../process/consumer-loop.js'
import type {BrokerAvailability} from './broker-availability.js'

export interface MemoryMemberOptions {
  sim: Simulation
  bus: MemoryBus
  instanceId: string
  topics: readonly string[]
  broker: BrokerAvailability
  plan?: DeliveryPlan
  /** The loop this member feeds. */
  loop: () => ConsumerLoop
  /** The group rebalanced (this instance left or joined): every instance should fetch again. */
  onRebalance: () => void
}

/**
 * An ELS instance's membership of the memory bus's consumer group, in virtual time: when the loop
 * is free it fetches the head of an assigned partition (the chooser, or a delivery plan, picks
 * when several are ready); when nothing is visible yet it sleeps until something is. A commit
 * from before a rebalance is rejected, as Kafka rejects a commit from an old generation.
 */
export class MemoryMember implements GroupMember {
  private busy = false
  private member = false
  private wakeTask: Task | undefined
  private joinedBefore = false

  constructor(private readonly o: MemoryMemberOptions) {}

  private get fetchLabel(): string {
    return `${this.o.instanceId}:fetch`
  }

  /** The membership's own state, for explore's state hash. */
  fingerprint(): string {
    return `${this.o.instanceId}|${this.busy}|${this.member}`
  }

  join(joined: (partitions: number) => void): void {
    const {bus, instanceId, topics} = this.o
    this.member = true
    bus.join(ELS_GROUP, instanceId, topics)
    joined(bus.assignment(ELS_GROUP, instanceId).length)
    // A rejoin moves partitions while messages wait; the first joins all happen before any message.
    if (this.joinedBefore) this.o.onRebalance()
    this.joinedBefore = true
  }

  leave(): void {
    this.busy = false
    this.member = false
    this.o.sim.cancel(this.wakeTask)
    this.wakeTask = undefined
    this.o.bus.leave(ELS_GROUP, this.o.instanceId)
    this.o.onRebalance()
  }

  commit(message: BusMessage, taken: number, done: (accepted: boolean) => void): void {
    const {bus} = this.o
    const accepted = bus.generation(ELS_GROUP) === taken
    if (accepted) bus.commit(ELS_GROUP, message.topic, message.partition, message.offset + 1)
    done(accepted)
  }

  next(): void {
    // Free only now: a consumer that commits on fetch is still handling after its commit.
    this.busy = false
    this.fetch()
  }

  /** A message becomes visible at `visibleAt` on some partition. */
  messageAppended(visibleAt: Micros): void {
    if (this.busy || !this.member) return
    if (this.wakeTask && this.wakeTask.time <= visibleAt) return
    this.o.sim.cancel(this.wakeTask)
    this.wakeTask = this.o.sim.at(visibleAt, () => this.fetch(), this.fetchLabel)
  }

  /** Look again now (after a rebalance moved partitions). */
  kick(): void {
    this.messageAppended(this.o.sim.now)
  }

  private fetch(): void {
    this.wakeTask = undefined
    const {sim, bus, instanceId, plan} = this.o
    if (this.busy || !this.member) return
    const down = this.o.broker.downUntil(sim.now)
    if (down !== undefined) {
      this.wakeTask = sim.at(down, () => this.fetch(), this.fetchLabel)
      return
    }
    const ready = bus.deliverable(ELS_GROUP, instanceId, sim.now)
    if (ready.length === 0) {
      const next = bus.nextVisibleAt(ELS_GROUP, instanceId)
      if (next !== undefined && next > sim.now) this.wakeTask = sim.at(next, () => this.fetch(), this.fetchLabel)
      return
    }
    // PCT and POS schedule by actor: a partition is a sequential stream, its head message the event.
    const about = sim.chooser.informed
      ? {kind: 'order' as const, actors: ready.map((m) => `${m.topic}#${m.partition}`), events: ready.map((m) => `${m.topic}#${m.partition}@${m.offset}`)}
      : undefined
    const picked = sim.chooser.pick(ready.length, about)
    const choice = plan ? plan.choose(ready, picked) : picked
    if (choice === 'wait') {
      // A delivery plan holds these back: look again when a later head becomes visible, or when
      // the plan moves on. Plain runs and exact replays never get here.
      const later = bus.deliverable(ELS_GROUP, instanceId, Number.MAX_SAFE_INTEGER).filter((m) => m.visibleAt > sim.now)
      if (later.length > 0) this.wakeTask = sim.at(Math.min(...later.map((m) => m.visibleAt)), () => this.fetch(), this.fetchLabel)
      plan?.onWait?.(() => this.kick())
      return
    }
    const head = ready[choice]
    const message = bus.take(ELS_GROUP, instanceId, head.topic, head.partition)
    this.busy = true
    this.o.loop().take(message, bus.generation(ELS_GROUP))
  }
}
