import type {Micros} from '../kernel/time.js'
import type {Cancel, Clock} from './clock.js'

/** Work this close to done counts as done (the progress is a float; the clock is whole microseconds). */
const DONE = 1e-6

/**
 * The File Service's files in flight sharing one CPU, for a scenario with `fileProcessing:
 * 'shared-cpu'` (docs/domain.md#file-processing-on-one-cpu). Processor sharing: with n files in
 * flight each progresses at 1/n of full speed, so a file needing `work` microseconds alone takes
 * longer while others are processed beside it, and a file finishes when its own work is done.
 *
 * Kept as one virtual "work done per file" counter (every file in flight has received the same
 * share since it started): a file is done when the counter passes the value it started at plus its
 * work. One timer stands for the next finish; an arrival, a finish or a cancel moves it.
 */
export class SharedCpu {
  private readonly files = new Map<number, {finishAt: number; done: () => void}>()
  /** Files processed at this instant whose `done` has not run yet (a crash in one's `done` may cancel the next). */
  private readonly finishing = new Set<number>()
  private served = 0
  private since: Micros = 0
  private nextId = 0
  private cancelTimer: Cancel | undefined

  constructor(private readonly clock: Clock) {}

  /** Starts processing a file that needs `work` of CPU on its own; `done` runs when it is processed. Returns a cancel. */
  start(work: Micros, done: () => void): Cancel {
    this.advance()
    const id = this.nextId++
    this.files.set(id, {finishAt: this.served + work, done})
    this.schedule()
    return () => {
      this.finishing.delete(id)
      if (!this.files.has(id)) return
      this.advance()
      this.files.delete(id)
      this.schedule()
    }
  }

  /** Credits every file in flight with its share of the CPU since the last change. */
  private advance(): void {
    const now = this.clock.now()
    if (this.files.size > 0) this.served += (now - this.since) / this.files.size
    this.since = now
  }

  private schedule(): void {
    this.cancelTimer?.()
    this.cancelTimer = undefined
    if (this.files.size === 0) return
    let first = Infinity
    for (const file of this.files.values()) first = Math.min(first, file.finishAt)
    const wait = Math.max(0, Math.ceil((first - this.served) * this.files.size - DONE))
    this.cancelTimer = this.clock.after(wait, () => this.finish())
  }

  /** The timer fired: every file whose work is done leaves (in the order they started), then the next finish is scheduled. */
  private finish(): void {
    this.cancelTimer = undefined
    this.advance()
    const finished = [...this.files].filter(([, file]) => file.finishAt <= this.served + DONE)
    for (const [id] of finished) {
      this.files.delete(id)
      this.finishing.add(id)
    }
    this.schedule()
    for (const [id, file] of finished) {
      if (!this.finishing.delete(id)) continue
      file.done()
    }
  }
}
