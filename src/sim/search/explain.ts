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
    case 'handler':
      return outcome.call === 'onContent' || outcome.call === 'onValidationFailed' ? outcome.ref.replace(/^text-/, '') : undefined
    default:
      return undefined
  }
}

const isInput = (event: Handled): boolean =>
  event.type === TOPICS.essayContentProvisioned ||
  event.type === TOPICS.essayValidationFailed ||
  (event.outcome.kind !== 'registered' && event.outcome.kind !== 'already-registered' && fileOf(event) !== undefined)

/**
 * One sentence naming the reordering behind a violation: which event of the batch reached ELS
 * before its registration although BOS committed the registration first, and which relay made
 * the difference. Falls back to the violation's own detail when nothing was overtaken.
 */
export function explainViolation(run: SimulationRun, invariant: InvariantName): string {
  const violation = run.result.violations.find((v) => v.invariant === invariant)
  if (!violation) return `${invariant} holds in this run.`
  const batch = violation.batchId
  const {trace} = run
  const handled = trace.filter((e): e is Handled => e.ev === 'handled' && 'batchId' in e.outcome && e.outcome.batchId === batch)
  const registration = handled.find((e) => e.outcome.kind === 'registered' || (e.outcome.kind === 'handler' && e.outcome.call === 'onRegistered'))
  const early = handled.find((e) => isInput(e) && (registration === undefined || e.t < registration.t))
  if (!early) return `No event of ${batch} overtook its registration: ${violation.detail}.`
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
  return `${what} reached ELS at ${formatSeconds(early.t)} ${reached}${commits}${relays}; ELS ${early.outcome.kind === 'buffered' ? 'buffered it' : early.outcome.kind === 'handler' ? `handed it to the handler's ${early.outcome.call}` : `answered "${early.outcome.kind}"`}.`
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
