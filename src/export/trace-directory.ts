import {join} from 'node:path'

import {writeFileSafely, writeTarget} from '../sim/files/safe-write.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {traceText} from './trace-format.js'
import {ownTraceFile, TRACE_EXTENSIONS, type TraceFormat} from './trace-formats.js'
import type {TraceSubject} from './trace-subject.js'

/** One run's trace, to be written as `<name><extension of the format>`. */
export interface NamedTrace {
  name: string
  trace: readonly TraceEvent[]
  subject: TraceSubject
}

/**
 * `--trace DIR` of the commands that run many runs (replay, verify's counterexamples): one file
 * per run in `format`, each under racelab's rule for the files it writes (a trace racelab wrote,
 * in any format, is replaced; anything else is refused). Returns the file names written.
 */
export function writeTraceDirectory(flag: string, dir: string, format: TraceFormat, traces: readonly NamedTrace[]): string[] {
  return traces.map(({name, trace, subject}) => {
    const file = `${name}${TRACE_EXTENSIONS[format]}`
    writeFileSafely(writeTarget(flag, join(dir, file), {ours: ownTraceFile}), traceText(format, trace, subject))
    return file
  })
}
