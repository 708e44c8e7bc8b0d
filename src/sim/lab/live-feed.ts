import type {Violation} from '../check/invariant.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** What the lab needs of a finished live run: its verdict and violations. */
export interface LiveOutcome {
  verdict: 'pass' | 'fail'
  violations: Violation[]
}

/**
 * The live shell's events as they happen, for the lab's panels: the live run pushes each trace
 * event (the shell's onTrace) and its outcome at the end; the view reads `events` whenever it
 * redraws. It never calls back into the run: a paused view holds nothing the broker waits on.
 */
export class LiveFeed {
  readonly events: TraceEvent[] = []
  outcome: LiveOutcome | undefined
  failure: string | undefined
  private readonly listeners = new Set<() => void>()

  push(event: TraceEvent): void {
    this.events.push(event)
    this.notify()
  }

  end(outcome: LiveOutcome): void {
    this.outcome = outcome
    this.notify()
  }

  fail(message: string): void {
    this.failure = message
    this.notify()
  }

  /** Called after each change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private notify(): void {
    for (const listener of this.listeners) listener()
  }
}
