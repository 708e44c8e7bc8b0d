import {OWN_FILES} from '../sim/files/safe-write.js'

// The names and first bytes only, so that a command module can declare --trace-format and check
// its --trace path without loading an exporter.

export const TRACE_FORMATS = ['jsonl', 'chrome', 'mermaid'] as const
export type TraceFormat = (typeof TRACE_FORMATS)[number]

/** The first bytes of every Chrome trace racelab writes, whatever the run. */
export const CHROME_TRACE_HEAD = '{"otherData":{"generator":"racelab"'

/** The first bytes of every Mermaid diagram racelab writes. */
export const MERMAID_HEAD = 'sequenceDiagram\n    %% racelab trace:'

/**
 * A `--trace` file racelab wrote, in any of its formats: rerunning with another --trace-format
 * replaces it without --force, as rerunning with the same one does (src/sim/files/safe-write.ts).
 */
export const ownTraceFile = (head: string): boolean => OWN_FILES.trace(head) || head.startsWith(CHROME_TRACE_HEAD) || head.startsWith(MERMAID_HEAD)

/** The first line of every metrics file racelab writes (a comment, as Prometheus text allows). */
export const METRICS_HEAD = '# racelab metrics:'

/** The file name ending of a trace of `format`, for the commands that write one trace per run into a directory. */
export const TRACE_EXTENSIONS: Readonly<Record<TraceFormat, string>> = {jsonl: '.jsonl', chrome: '.trace.json', mermaid: '.mmd'}
