import type {MemoryBus} from '../bus/memory-bus.js'
import type {Simulation, Task} from '../kernel/simulation.js'
import type {Micros} from '../kernel/time.js'
import type {Els, ElsHandled} from '../services/els.js'
import {draw, type Delay} from '../scenario/delay.js'
import type {TraceEvent} from './trace.js'

export const ELS_GROUP = 'essay-lifecycle-service'

/**
 * One ELS instance in the consumer group, handling one message at a time: fetch the head of
 * an assigned partition (the chooser picks when several are ready), handle it in one
 * transaction, then commit the offset.
 */
export class ConsumerProcess {
  private busy = false
  private wakeTask: Task | undefined

  constructor(
    private readonly sim: Simulation,
    private readonly bus: MemoryBus,
    readonly instanceId: string,
    private readonly els: Els,
    private readonly handling: Delay,
    private readonly trace: (event: TraceEvent) => void,
    private readonly onHandled: (handled: ElsHandled) => void,
  ) {}

  /** A message becomes visible at `visibleAt` on some partition. */
  messageAppended(visibleAt: Micros): void {
    if (this.busy) return
    if (this.wakeTask && this.wakeTask.time <= visibleAt) return
    this.sim.cancel(this.wakeTask)
    this.wakeTask = this.sim.at(visibleAt, () => this.fetch())
  }

  private fetch(): void {
    this.wakeTask = undefined
    const ready = this.bus.deliverable(ELS_GROUP, this.instanceId, this.sim.now)
    if (ready.length === 0) {
      const next = this.bus.nextVisibleAt(ELS_GROUP, this.instanceId)
      if (next !== undefined) this.wakeTask = this.sim.at(next, () => this.fetch())
      return
    }
    const head = ready[this.sim.chooser.pick(ready.length)]
    const message = this.bus.take(ELS_GROUP, this.instanceId, head.topic, head.partition)
    this.busy = true
    this.sim.after(draw(this.handling, this.sim.chooser), () => {
      const handled = this.els.handle(message, this.sim.now)
      this.bus.commit(ELS_GROUP, message.topic, message.partition, message.offset + 1)
      this.trace({
        t: this.sim.now,
        svc: 'els',
        ev: 'handled',
        type: message.topic,
        partition: message.partition,
        offset: message.offset,
        outcome: handled.outcome,
        emitted: handled.emitted,
      })
      this.busy = false
      this.onHandled(handled)
      this.fetch()
    })
  }
}
