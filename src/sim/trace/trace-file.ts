import {writeFileSync} from 'node:fs'

import type {TraceEvent} from './trace-event.js'

/** One JSON object per line, keys in a fixed order: the same run writes the same bytes. */
export function traceLines(trace: readonly TraceEvent[]): string {
  let text = ''
  for (const event of trace) text += JSON.stringify(event) + '\n'
  return text
}

export function writeTrace(path: string, trace: readonly TraceEvent[]): void {
  writeFileSync(path, traceLines(trace))
}
