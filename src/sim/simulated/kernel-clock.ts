import type {Simulation} from '../kernel/simulation.js'
import type {Clock} from '../process/clock.js'

/** The clock port on the kernel's virtual clock. */
export function kernelClock(sim: Simulation): Clock {
  return {
    now: () => sim.now,
    after: (delay, fn, label) => {
      const task = sim.after(delay, fn, label)
      return () => sim.cancel(task)
    },
  }
}
