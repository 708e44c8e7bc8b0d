import {INVARIANTS, type InvariantName, type Violation} from '../check/invariant.js'
import {TOPICS} from '../domain/topics.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** A violation with the event at which the lab shows it broken. */
export interface InvariantBreak extends Violation {
  /** Trace index of the breaking event. */
  at: number
}

const isRegistration = (event: TraceEvent, batch: string): boolean =>
  event.ev === 'handled' &&
  'batchId' in event.outcome &&
  event.outcome.batchId === batch &&
  (event.outcome.kind === 'registered' || (event.outcome.kind === 'handler' && event.outcome.call === 'onRegistered'))

/**
 * The event that broke a violated invariant. The checker judges the whole run, so the lab places
 * each violation at the event that made it certain:
 * - for a batch: the first time ELS handled the batch's input before its registration (the harmful
 *   reordering, docs/domain.md#the-race), else its second BatchEssaysReady, else the last event
 *   that concerned the batch;
 * - for a message the checker names: the event that published it;
 * - otherwise (an absence judged at the end: outbox-drained, liveness) the last event.
 */
export function breakingEvent(trace: readonly TraceEvent[], violation: Violation): number {
  const last = trace.length - 1
  const batch = violation.batchId
  let registered = false
  let readies = 0
  let concerned = -1
  for (let i = 0; i < trace.length; i++) {
    const event = trace[i]
    if (isRegistration(event, batch)) registered = true
    if (event.ev === 'handled' && 'batchId' in event.outcome && event.outcome.batchId === batch) {
      concerned = i
      if (!registered && event.type !== TOPICS.batchEssaysRegistered && violation.invariant !== 'outbox-drained' && violation.invariant !== 'liveness') return i
      readies += event.emitted.filter((type) => type === TOPICS.batchEssaysReady).length
      if (readies > 1 && violation.invariant === 'ready-exactly-once') return i
    }
  }
  if (violation.events.length > 0) {
    const ids = new Set(violation.events)
    const at = trace.findIndex((event) => event.ev === 'published' && ids.has(event.eventId))
    if (at >= 0) return at
  }
  if (violation.invariant === 'outbox-drained' || violation.invariant === 'liveness' || concerned < 0) return last
  return concerned
}

export function invariantBreaks(trace: readonly TraceEvent[], violations: readonly Violation[]): InvariantBreak[] {
  return violations.map((violation) => ({...violation, at: Math.max(0, breakingEvent(trace, violation))}))
}

export interface InvariantStatus {
  invariant: InvariantName
  /** The violations of this invariant already broken at the cursor. */
  broken: InvariantBreak[]
}

/** Every invariant at the cursor: holding, or broken by the events so far. */
export function invariantsAt(breaks: readonly InvariantBreak[], index: number): InvariantStatus[] {
  return INVARIANTS.map((invariant) => ({invariant, broken: breaks.filter((b) => b.invariant === invariant && b.at <= index)}))
}

/** The first breaking event of the run, if any invariant broke. */
export function firstViolation(breaks: readonly InvariantBreak[]): number | undefined {
  return breaks.length === 0 ? undefined : Math.min(...breaks.map((b) => b.at))
}
