import {writeFileSafely, type WriteTarget} from '../sim/files/safe-write.js'
import {traceLines} from '../sim/trace/trace-file.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {chromeTrace} from './chrome-trace.js'
import {mermaidSequence} from './mermaid-sequence.js'
import type {TraceFormat} from './trace-formats.js'
import type {TraceSubject} from './trace-subject.js'

export type {TraceFormat} from './trace-formats.js'

/** The trace as the file of `format`: JSON lines, Chrome trace-event JSON or a Mermaid diagram. */
export function traceText(format: TraceFormat, trace: readonly TraceEvent[], subject: TraceSubject): string {
  switch (format) {
    case 'jsonl':
      return traceLines(trace)
    case 'chrome':
      return chromeTrace(trace, subject)
    case 'mermaid':
      return mermaidSequence(trace, subject)
  }
}

export function writeTraceAs(target: WriteTarget, format: TraceFormat, trace: readonly TraceEvent[], subject: TraceSubject): void {
  writeFileSafely(target, traceText(format, trace, subject))
}
