import type {TraceEvent} from '../trace/trace-event.js'

/** What a run with a user's handler says about the handler (docs/handlers.md#failures). */
export interface HandlerReport {
  /** The handler module, the path as given; or the consumer process's command (`kind: 'command'`). */
  path: string
  /** A module (`--handler`, absent in JSON for it) or a process (`--handler-cmd`). */
  kind?: 'command'
  /** Each time a handler call threw: the transaction rolled back and the message was retried. */
  failures: string[]
  /** Messages dead-lettered after the handler threw on every try. */
  deadLettered: string[]
}

/** The handler's failures, read back from the trace (the consumer loop traces each one). */
export function handlerReport(path: string, trace: readonly TraceEvent[], kind?: 'command'): HandlerReport {
  const failures: string[] = []
  const deadLettered: string[] = []
  for (const event of trace) {
    if (event.ev === 'handle-failed') failures.push(event.error)
    else if (event.ev === 'handled' && event.outcome.kind === 'dead-lettered' && event.outcome.error.startsWith('handler failure')) deadLettered.push(event.outcome.error)
  }
  return {path, ...(kind === undefined ? {} : {kind}), failures, deadLettered}
}
