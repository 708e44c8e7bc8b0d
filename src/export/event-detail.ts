import {formatTraceEvent} from '../ui/timeline-line.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'

/** The timeline line of an event without its time and service columns: what happened. */
export function eventDetail(event: TraceEvent): string {
  return formatTraceEvent(event).replace(/^\s*\S+\s+\S+\s+/, '')
}
