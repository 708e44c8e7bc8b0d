import type {TraceEvent} from '../sim/trace/trace-event.js'
import {formatSeconds} from '../sim/kernel/time.js'
import {formatTraceEvent} from './timeline-line.js'
import {digitGroups} from '../sim/digit-groups.js'

/** How many timeline lines `racelab run` prints before and after the ones it leaves out. */
export const TIMELINE_HEAD = 100
export const TIMELINE_TAIL = 100

/** The part of a timeline a report shows: the lines, and where and how many were left out. */
export interface TimelineExcerpt {
  lines: string[]
  omitted?: {after: number; count: number}
}

/**
 * The timeline a human report shows: every line of a short run; of a long one, the first
 * TIMELINE_HEAD lines (how the run started) and the last TIMELINE_TAIL (how it ended), so that
 * what goes through ink stays bounded whatever the size of the run.
 */
export function timelineExcerpt(trace: readonly TraceEvent[], head = TIMELINE_HEAD, tail = TIMELINE_TAIL): TimelineExcerpt {
  if (trace.length <= head + tail) return {lines: trace.map(formatTraceEvent)}
  const lines = [...trace.slice(0, head), ...trace.slice(trace.length - tail)].map(formatTraceEvent)
  return {lines, omitted: {after: head, count: trace.length - head - tail}}
}

/**
 * The same excerpt, gathered as the events happen, for a run that keeps no trace
 * (`RunOptions.keepTrace`): the first `head` events, and the last `tail` in a ring.
 */
export class TimelineKeeper {
  private readonly first: TraceEvent[] = []
  private readonly last: TraceEvent[] = []
  private seen = 0

  constructor(
    private readonly head = TIMELINE_HEAD,
    private readonly tail = TIMELINE_TAIL,
  ) {}

  add(event: TraceEvent): void {
    if (this.first.length < this.head + this.tail) this.first.push(event)
    else this.last[(this.seen - this.head - this.tail) % this.tail] = event
    this.seen++
  }

  excerpt(): TimelineExcerpt {
    if (this.seen <= this.head + this.tail) return timelineExcerpt(this.first, this.head, this.tail)
    // The events after the first head + tail, oldest first: the ring's next slot is its oldest.
    const next = (this.seen - this.head - this.tail) % this.tail
    const later = [...this.last.slice(next), ...this.last.slice(0, next)]
    const ending = [...this.first, ...later].slice(-this.tail)
    const lines = [...this.first.slice(0, this.head), ...ending].map(formatTraceEvent)
    return {lines, omitted: {after: this.head, count: this.seen - this.head - this.tail}}
  }
}

/** The line that stands for the events a report left out, and where to find them all. */
export function formatOmitted(count: number): string {
  return `   ... ${digitGroups(count)} events left out: --timeline full prints every one, --trace FILE writes them as JSON lines`
}

/** The progress line of a long simulated run, on stderr: `run: 12,345 events, 81.250s simulated`. */
export function formatRunProgress(events: number, t: number): string {
  return `run: ${digitGroups(events)} events, ${formatSeconds(t)} simulated`
}
