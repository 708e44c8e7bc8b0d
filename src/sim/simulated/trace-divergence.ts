import type {TraceEvent} from '../trace/trace-event.js'

/** The index of the first event two traces of the same run disagree on (or where one ends early); undefined when they are equal. */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): number | undefined {
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) {
    if (i >= a.length || i >= b.length || JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i
  }
  return undefined
}
