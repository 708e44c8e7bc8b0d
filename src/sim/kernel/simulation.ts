import type {ChoiceAbout, Chooser} from './chooser.js'
import type {Micros} from './time.js'

/** A step scheduled at a virtual time. */
export interface Task {
  readonly time: Micros
  readonly seq: number
  readonly run: () => void
  cancelled: boolean
  /**
   * Who runs the step and what it does (`file-relay:poll`, `els:handle:topic#0@1`): the actor
   * before the first colon. Only explore reads it (partial-order reduction, state hashing); it
   * changes nothing about when or in which order steps run.
   */
  readonly label?: string
}

/**
 * Watches every step a run takes, before it runs (explore: sleep sets, state caching). It may
 * throw to end the run there; a plain run has none.
 */
export type StepObserver = (task: Task, sim: Simulation) => void

export type StopReason = 'quiet' | 'time-limit' | 'step-limit'

/** A run that needs more steps than this is livelocked (a fault firing every time): stop it. */
export const MAX_STEPS = 2_000_000

/**
 * The discrete-event kernel: a virtual clock and an event queue (binary heap on time, then
 * insertion order). When several steps are due at the same instant, the chooser decides which
 * runs first: that is where the interleavings a real system could produce come from.
 */
export class Simulation {
  now: Micros = 0
  steps = 0
  private readonly heap: Task[] = []
  private seq = 0
  /** See StepObserver; unset in every run but explore's. */
  observer: StepObserver | undefined

  constructor(readonly chooser: Chooser) {}

  at(time: Micros, run: () => void, label?: string): Task {
    const task: Task = {time: Math.max(time, this.now), seq: this.seq++, run, cancelled: false, label}
    this.push(task)
    return task
  }

  after(delay: Micros, run: () => void, label?: string): Task {
    return this.at(this.now + delay, run, label)
  }

  /** The steps still scheduled (explore hashes them with the state). */
  pending(): readonly Task[] {
    return this.heap.filter((task) => !task.cancelled)
  }

  cancel(task: Task | undefined): void {
    if (task) task.cancelled = true
  }

  /** Runs steps until nothing is scheduled, the next step lies past `limit`, or MAX_STEPS ran. */
  run(limit: Micros, maxSteps = MAX_STEPS): StopReason {
    for (;;) {
      if (this.steps >= maxSteps) return 'step-limit'
      const due = this.peekLive()
      if (!due) return 'quiet'
      // Stop before choosing: a choice made for a step that does not run would shift the schedule.
      if (due.time > limit) return 'time-limit'
      const task = this.popNext()!
      this.now = task.time
      this.observer?.(task, this)
      this.steps++
      task.run()
      // A step may catch what its choice threw (a schedule that does not fit); it still ends the run.
      if (this.chooser.failure) throw this.chooser.failure
    }
  }

  private popNext(): Task | undefined {
    const first = this.popLive()
    if (!first) return undefined
    const top = this.peekLive()
    if (!top || top.time !== first.time) return first
    // Several steps are due at once: collect them (in insertion order) and let the chooser pick.
    const tied = [first]
    for (let next = this.peekLive(); next && next.time === first.time; next = this.peekLive()) {
      tied.push(this.pop()!)
    }
    const chosen = this.chooser.pick(tied.length, this.chooser.informed ? tiedAbout(tied) : undefined)
    for (let i = 0; i < tied.length; i++) if (i !== chosen) this.push(tied[i])
    return tied[chosen]
  }

  private popLive(): Task | undefined {
    for (let task = this.pop(); task; task = this.pop()) if (!task.cancelled) return task
    return undefined
  }

  private peekLive(): Task | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop()
    return this.heap[0]
  }

  private push(task: Task): void {
    const heap = this.heap
    heap.push(task)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i], heap[parent])) break
      ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
      i = parent
    }
  }

  private pop(): Task | undefined {
    const heap = this.heap
    if (heap.length === 0) return undefined
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right
        if (smallest === i) break
        ;[heap[i], heap[smallest]] = [heap[smallest], heap[i]]
        i = smallest
      }
    }
    return top
  }
}

/** Tied steps carry no actor: each step is its own actor and event (PCT, POS: the step by its seq). */
function tiedAbout(tied: readonly Task[]): ChoiceAbout {
  const events = tied.map((task) => `step${task.seq}`)
  return {kind: 'order', actors: events, events, labels: tied.map((task) => task.label ?? '')}
}

function before(a: Task, b: Task): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}
