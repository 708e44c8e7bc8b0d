import type {TraceEvent} from '../trace/trace-event.js'

/** ELS's own events: an instance handling, crashing, restarting, rejoining or expiring (not its relay). */
export const isElsEvent = (event: TraceEvent): boolean => /^els(-\d+)?$/.test(event.svc)

/** The first event after `from` that ELS did, or `from` when there is none. */
export function nextElsEvent(trace: readonly TraceEvent[], from: number): number {
  for (let i = from + 1; i < trace.length; i++) if (isElsEvent(trace[i])) return i
  return from
}

/** The last event before `from` that ELS did, or `from` when there is none. */
export function previousElsEvent(trace: readonly TraceEvent[], from: number): number {
  for (let i = from - 1; i >= 0; i--) if (isElsEvent(trace[i])) return i
  return from
}
