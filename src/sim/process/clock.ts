import type {Micros} from '../kernel/time.js'

/** Stops a step that `after` scheduled; a no-op once it ran. */
export type Cancel = () => void

/**
 * The clock port: the only thing the processes (client, relay loop, consumer loop, wiring) know
 * about time. The simulation shell implements it with the kernel's virtual clock, the live shell
 * with the wall clock; that is the whole difference between the two for these processes.
 */
export interface Clock {
  /** Microseconds since the run started. */
  now(): Micros
  /**
   * Runs `fn` once `delay` has passed (0: as soon as possible, after what is running now).
   * `label` says who runs it and what it does (`actor:what`), for explore's reduction; it changes
   * nothing about when it runs, and the live clock ignores it.
   */
  after(delay: Micros, fn: () => void, label?: string): Cancel
}
