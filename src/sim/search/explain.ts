import {SHORT_NAME, type EventType} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'
import {formatSeconds, type Micros} from '../kernel/time.js'
import type {SimulationRun} from '../simulated/run-simulation.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {InvariantName} from '../check/invariant.js'

type Handled = Extract<TraceEvent, {ev: 'handled'}>

/** The file upload id a handled content or failure was about, if the outcome names it. */
function fileOf(event: Handled): string | undefined {
  const outcome = event.outcome
  switch (outcome.kind) {
    case 'assigned':
    case 'excess':
      return outcome.textStorageId.replace(/^text-/, '')
    case 'buffered':
      return outcome.ref.replace(/^text-/, '')
    case 'failure-counted':
    case 'failure-lost':
      return outcome.fileUploadId
    default:
      return undefined
  }
}

const isInput = (event: Handled): boolean =>
  event.type === TOPICS.essayContentProvisioned ||
  event.type === TOPICS.essayValidationFailed ||
  (event.outcome.kind !== 'registered' && event.outcome.kind !== 'already-registered' && fileOf(event) !== undefined)

/**
 * One sentence explaining a violation: first the relation that broke, in the checker's words
 * ("BatchEssaysReady b1 written with 1 of 2 slots filled"), then what set it up when the trace
 * shows it: a registration rolled back and its redelivery skipped as a duplicate, or an event of
 * the batch that reached ELS before its registration although BOS committed the registration
 * first, and which relay made the difference.
 */
export function explainViolation(run: SimulationRun, invariant: InvariantName): string {
  const violation = run.result.violations.find((v) => v.invariant === invariant)
  if (!violation) return `${invariant} holds in this run.`
  const relation = relationOf(violation.batchId, violation.detail)
  const cause = rolledBackRegistration(run.trace, violation.batchId) ?? overtaking(run.trace, violation.batchId)
  return cause === undefined ? `${relation}.` : `${relation}, after ${cause}.`
}

/**
 * The violation's detail as a clause with its subject: a detail that starts with an event name
 * has one; one that starts with a verb ("never became ready") is about the batch.
 */
function relationOf(batch: string, detail: string): string {
  const clause = detail.replace(/[.\s]+$/, '').replace(/\.\s+/g, '; ')
  if (batch === '*' || /^[A-Z]/.test(clause)) return clause
  return /^[a-z]/.test(clause) ? `${batch} ${clause}` : `batch ${batch}: ${clause}`
}

/**
 * The registration of `batch` failed midway and rolled back, and when it was handled again ELS
 * took it for a duplicate: whatever the first attempt left behind is all the batch will get.
 */
function rolledBackRegistration(trace: readonly TraceEvent[], batch: string): string | undefined {
  const failed = new Map<string, Extract<TraceEvent, {ev: 'handle-failed'}>>()
  for (const event of trace) {
    if (event.ev === 'handle-failed' && event.type === TOPICS.batchEssaysRegistered) failed.set(`${event.partition}@${event.offset}`, event)
    if (event.ev !== 'handled' || !('batchId' in event.outcome) || event.outcome.batchId !== batch) continue
    const rollback = failed.get(`${event.partition}@${event.offset}`)
    if (rollback === undefined) continue
    if (event.outcome.kind === 'already-registered' || event.outcome.kind === 'duplicate') {
      return `the registration of ${batch} was rolled back at ${formatSeconds(rollback.t)} (${rollback.error}), and its redelivery at ${formatSeconds(event.t)} was skipped as a duplicate`
    }
  }
  return undefined
}

/** Which event of the batch reached ELS before its registration, and which relay made the difference. */
function overtaking(trace: readonly TraceEvent[], batch: string): string | undefined {
  const handled = trace.filter((e): e is Handled => e.ev === 'handled' && 'batchId' in e.outcome && e.outcome.batchId === batch)
  const registration = handled.find((e) => e.outcome.kind === 'registered')
  const early = handled.find((e) => isInput(e) && (registration === undefined || e.t < registration.t))
  if (!early) return undefined
  const file = fileOf(early)
  const bosCommit = trace.find((e) => e.ev === 'batch-registered' && e.batch === batch)?.t
  const fileCommit = trace.find((e) => e.ev === 'file-committed' && e.file === file)?.t
  const registrationPublished = firstPublish(trace, TOPICS.batchEssaysRegistered, (e) => e.key === batch)
  const contentPublished = firstPublish(trace, early.type as EventType, (e) => e.key === file || e.key === batch)
  const what = `${SHORT_NAME[early.type as EventType] ?? early.type} of ${file}`
  const reached = registration ? `before BatchEssaysRegistered ${batch} (${formatSeconds(registration.t)})` : `and BatchEssaysRegistered ${batch} never did`
  const commits =
    bosCommit !== undefined && fileCommit !== undefined
      ? `, although BOS committed the registration first (${formatSeconds(bosCommit)} vs ${formatSeconds(fileCommit)})`
      : ''
  const relays =
    registrationPublished && contentPublished && bosCommit !== undefined && fileCommit !== undefined
      ? `: ${registrationPublished.svc} published it ${lag(registrationPublished.t, bosCommit)} after its commit, ` +
        `${contentPublished.svc} the content ${lag(contentPublished.t, fileCommit)} after its commit`
      : ''
  return `${what} reached ELS at ${formatSeconds(early.t)} ${reached}${commits}${relays}; ELS ${early.outcome.kind === 'buffered' ? 'buffered it' : `answered "${early.outcome.kind}"`}`
}

function firstPublish(
  trace: readonly TraceEvent[],
  type: EventType,
  match: (event: Extract<TraceEvent, {ev: 'published'}>) => boolean,
): Extract<TraceEvent, {ev: 'published'}> | undefined {
  return trace.find((e): e is Extract<TraceEvent, {ev: 'published'}> => e.ev === 'published' && e.type === type && match(e))
}

function lag(later: Micros, earlier: Micros): string {
  return formatSeconds(later - earlier)
}
