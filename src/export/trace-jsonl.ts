import {InputError} from '../sim/input-error.js'
import {readTextFile} from '../sim/read-text-file.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'

/**
 * Reads a `--trace` file racelab wrote as JSON lines. Each line must be an object with the
 * fields every event has (`t`, `svc`, `ev`); anything else is an InputError naming the line.
 */
export function readTraceFile(flag: string, file: string): TraceEvent[] {
  const read = readTextFile(file)
  if (!read.ok) throw new InputError(`${flag} ${file}: ${read.message}`)
  if (read.text.startsWith('{"otherData"') || read.text.startsWith('sequenceDiagram')) {
    throw new InputError(`${flag} ${file}: a Chrome or Mermaid export; racelab reads back only the jsonl format (--trace-format jsonl, the default)`)
  }
  const events: TraceEvent[] = []
  read.text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      throw new InputError(`${flag} ${file}:${i + 1}: not a JSON object (a racelab trace has one per line)`)
    }
    const event = value as Partial<TraceEvent> | null
    if (event === null || typeof event !== 'object' || !Number.isSafeInteger(event.t) || typeof event.svc !== 'string' || typeof event.ev !== 'string') {
      throw new InputError(`${flag} ${file}:${i + 1}: not a trace event (each has a whole-number t, a svc and an ev)`)
    }
    const problem = fieldProblem(event as Record<string, unknown>)
    if (problem !== undefined) throw new InputError(`${flag} ${file}:${i + 1}: ${problem}`)
    events.push(event as TraceEvent)
  })
  return events
}

const EVENTS = new Set([
  'batch-registered', 'upload-accepted', 'upload-refused', 'file-committed', 'publish-failed', 'publish-given-up', 'relay-crashed',
  'els-crashed', 'crashed', 'els-restarted', 'els-rejoined', 'handle-failed', 'commit-rejected', 'published', 'handled', 'expired',
])

/** What the pictures read of an event beyond its text: a message's address, a handling's outcome. */
function fieldProblem(event: Record<string, unknown>): string | undefined {
  if (!EVENTS.has(event.ev as string)) return `ev ${JSON.stringify(event.ev).slice(0, 40)} is no trace event racelab writes`
  const whole = (name: string) => Number.isSafeInteger(event[name])
  if (event.ev === 'published' && !(typeof event.type === 'string' && typeof event.key === 'string' && whole('row') && whole('partition') && whole('offset'))) {
    return 'a published event needs type, key, row, partition and offset'
  }
  if (event.ev === 'handled') {
    const outcome = event.outcome as {kind?: unknown} | null
    if (!(typeof event.type === 'string' && whole('partition') && whole('offset') && Array.isArray(event.emitted) && typeof outcome === 'object' && outcome !== null && typeof outcome.kind === 'string')) {
      return 'a handled event needs type, partition, offset, an outcome with a kind, and emitted'
    }
  }
  return undefined
}
