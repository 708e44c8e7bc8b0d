import {writeFileSafely, type WriteTarget} from '../files/safe-write.js'
import type {TraceEvent} from './trace-event.js'

/** One JSON object per line, keys in a fixed order: the same run writes the same bytes. */
export function traceLines(trace: readonly TraceEvent[]): string {
  let text = ''
  for (const event of trace) text += JSON.stringify(event) + '\n'
  return text
}

/** Writes the trace under racelab's rule for the files it writes (src/sim/files/safe-write.ts). */
export function writeTrace(target: WriteTarget, trace: readonly TraceEvent[]): void {
  writeFileSafely(target, traceLines(trace))
}
