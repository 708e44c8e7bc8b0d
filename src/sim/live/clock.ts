import {performance} from 'node:perf_hooks'

import type {Micros} from '../kernel/time.js'

/**
 * The live shell's clock and timers: the only place (with the kafkajs bus) where racelab reads
 * the wall clock. Times are integer microseconds since `origin`, like virtual time, so the same
 * service steps, traces and checker work on both shells.
 */
export class WallClock {
  private originPerf = performance.now()
  /** Wall-clock milliseconds since the epoch at the origin (to place broker timestamps). */
  originEpochMs = Date.now()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly sleepers = new Set<() => void>()
  private stopped = false

  /** Makes now() count from here. */
  restart(): void {
    this.originPerf = performance.now()
    this.originEpochMs = Date.now()
  }

  now(): Micros {
    return Math.max(0, Math.round((performance.now() - this.originPerf) * 1000))
  }

  /** A broker timestamp (epoch milliseconds) on this clock. */
  fromEpochMs(epochMs: number): Micros {
    return Math.max(0, Math.round((epochMs - this.originEpochMs) * 1000))
  }

  /** Runs `fn` after `delay` microseconds, unless the clock was stopped by then. */
  after(delay: Micros, fn: () => void): () => void {
    if (this.stopped) return () => undefined
    const timer = setTimeout(
      () => {
        this.timers.delete(timer)
        if (!this.stopped) fn()
      },
      Math.max(0, delay / 1000),
    )
    this.timers.add(timer)
    return () => {
      clearTimeout(timer)
      this.timers.delete(timer)
    }
  }

  /**
   * Waits `delay` microseconds. The returned `wake` ends the wait early; `stop()` ends every
   * wait. Resolves true when the full delay passed, false when woken or stopped.
   */
  sleep(delay: Micros): {done: Promise<boolean>; wake: () => void} {
    let wake: () => void = () => undefined
    const done = new Promise<boolean>((resolve) => {
      if (this.stopped) {
        resolve(false)
        return
      }
      let cancel: () => void = () => undefined
      const finish = (full: boolean): void => {
        cancel()
        this.sleepers.delete(early)
        resolve(full)
      }
      const early = (): void => finish(false)
      this.sleepers.add(early)
      cancel = this.after(delay, () => finish(true))
      wake = early
    })
    return {done, wake: () => wake()}
  }

  /** Cancels every pending timer and wakes every sleeper; later timers never fire. */
  stop(): void {
    this.stopped = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    for (const wake of [...this.sleepers]) wake()
  }

  get isStopped(): boolean {
    return this.stopped
  }
}
