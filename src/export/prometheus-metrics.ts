import {TOPICS} from '../sim/domain/topics.js'
import type {Micros} from '../sim/kernel/time.js'
import {SECOND} from '../sim/kernel/time.js'
import type {ElsMetrics} from '../sim/services/els.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {METRICS_HEAD} from './trace-formats.js'
import type {TraceSubject} from './trace-subject.js'

/** Bucket bounds in seconds, for both histograms: from a fast relay's lag to a day in the buffer. */
const LAG_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const AGE_BUCKETS = [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 60, 600, 3600, 86_400]

/** Which outbox a published event type comes from (the coordinated relay publishes two). */
function outboxOf(type: string): 'bos' | 'file' | 'els' {
  if (type === TOPICS.batchEssaysRegistered) return 'bos'
  if (type === TOPICS.essayContentProvisioned || type === TOPICS.essayValidationFailed) return 'file'
  return 'els'
}

/**
 * A consumer that is not racelab's ELS (a `--handler` module, a `--handler-cmd` process, or
 * `--els external`): it keeps its buffer where racelab cannot see it, so racelab has no buffer
 * metrics of it, and writing zeros would read as "nothing was buffered". `why` says so in the file.
 * Dead letters of a handler are racelab's own consumer's (it gives up on the message), so the
 * trace counts them; an external consumer's are its own.
 */
export interface ForeignEls {
  why: string
  deadLetters: 'from-trace' | 'unknown'
}

/**
 * The metrics of a run at its end in the Prometheus text exposition format (version 0.0.4):
 *
 * - ELS's buffer metrics as ELS itself reports them (`metrics` of the run: what its instances
 *   counted since each last started, as a restarted process's counters do): pending stored,
 *   reconciled by outcome, expired, dead letters; and the age of each pending event when it left
 *   the buffer (drained by its registration, or expired), as a histogram from the trace; for a
 *   consumer that is not racelab's ELS (`ForeignEls`), a comment saying why they are missing,
 *   and the dead letters the trace shows when racelab's consumer dead-lettered them;
 * - the relays' metrics from the trace: rows published, publishes that failed (each one a retry),
 *   the rows left in each outbox at the end, and the publish lag (commit to first publish) of each
 *   row of BOS and the File Service.
 *
 * The same run writes the same bytes: values are counts and virtual seconds.
 */
export function prometheusMetrics(trace: readonly TraceEvent[], els: ElsMetrics | ForeignEls, subject: TraceSubject): string {
  const out: string[] = [METRICS_HEAD + ` ${subject.scenario} under ${subject.strategy}, seed ${subject.seed}`]
  const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void => {
    out.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`)
  }
  const sample = (name: string, labels: Record<string, string>, value: number): void => {
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',')
    out.push(`${name}${text === '' ? '' : `{${text}}`} ${formatValue(value)}`)
  }
  const histogram = (name: string, labels: Record<string, string>, bounds: readonly number[], values: readonly number[]): void => {
    for (const le of bounds) sample(`${name}_bucket`, {...labels, le: String(le)}, values.filter((v) => v <= le).length)
    sample(`${name}_bucket`, {...labels, le: '+Inf'}, values.length)
    sample(`${name}_sum`, labels, values.reduce((a, b) => a + b, 0))
    sample(`${name}_count`, labels, values.length)
  }

  family('racelab_run_info', 'gauge', 'The run these metrics are of.')
  sample('racelab_run_info', {scenario: subject.scenario, strategy: subject.strategy, seed: String(subject.seed)}, 1)

  const deadLetters = (count: number): void => {
    family('racelab_els_dead_letters_total', 'counter', 'Messages ELS gave up on and dead-lettered (unparsable, or a handler that failed on every try).')
    sample('racelab_els_dead_letters_total', {}, count)
  }
  if ('why' in els) {
    out.push(`# no racelab_els_pending_* metrics: ${els.why}`)
    if (els.deadLetters === 'from-trace') deadLetters(trace.filter((e) => e.ev === 'handled' && e.outcome.kind === 'dead-lettered').length)
  } else {
    family('racelab_els_pending_stored_total', 'counter', 'Events ELS stored in its pending buffer because their batch was not registered yet.')
    sample('racelab_els_pending_stored_total', {}, els.pendingStored)
    family('racelab_els_pending_reconciled_total', 'counter', 'Pending events a registration drained, by what became of them.')
    for (const outcome of ['assigned', 'excess', 'failed'] as const) sample('racelab_els_pending_reconciled_total', {outcome}, els.reconciled[outcome])
    family('racelab_els_pending_expired_total', 'counter', 'Pending events expired past the pending timeout and reported as BATCH_NEVER_REGISTERED.')
    sample('racelab_els_pending_expired_total', {}, els.expired)
    deadLetters(els.deadLettered)
    family('racelab_els_pending_age_seconds', 'histogram', 'Age of a pending event when it left the buffer (drained by its registration, or expired).')
    histogram('racelab_els_pending_age_seconds', {}, AGE_BUCKETS, pendingAges(trace).map((age) => age / SECOND))
  }

  const relays = [...new Set(trace.flatMap((e) => (e.ev === 'published' || e.ev === 'publish-failed' || e.ev === 'publish-given-up' ? [e.svc] : [])))].sort()
  family('racelab_relay_published_total', 'counter', 'Rows a relay published and the broker acked (a re-send after a crash counts again).')
  for (const relay of relays) sample('racelab_relay_published_total', {relay}, trace.filter((e) => e.ev === 'published' && e.svc === relay).length)
  family('racelab_relay_publish_retries_total', 'counter', 'Publishes that failed and were retried (the broker answered with an error).')
  for (const relay of relays) sample('racelab_relay_publish_retries_total', {relay}, trace.filter((e) => e.ev === 'publish-failed' && e.svc === relay).length)
  family('racelab_relay_publish_abandoned_total', 'counter', 'Rows a relay gave up on after their last allowed publish failed.')
  for (const relay of relays) sample('racelab_relay_publish_abandoned_total', {relay}, trace.filter((e) => e.ev === 'publish-given-up' && e.svc === relay).length)

  const {depth, lags} = outboxes(trace)
  family('racelab_outbox_depth', 'gauge', 'Outbox rows committed and not yet published, at the end of the run.')
  for (const [service, rows] of depth) sample('racelab_outbox_depth', {service}, rows)
  family('racelab_relay_publish_lag_seconds', 'histogram', 'Time from an outbox row commit to its first publish.')
  for (const [service, values] of lags) histogram('racelab_relay_publish_lag_seconds', {service}, LAG_BUCKETS, values.map((lag) => lag / SECOND))
  return out.join('\n') + '\n'
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  // Sums of virtual seconds: round away float noise so the same run writes the same text everywhere.
  return String(Math.round(value * 1e6) / 1e6)
}

/**
 * The age of each event that left ELS's pending buffer: from its `buffered` handling to the
 * registration that drained its batch, or to its expiry. Drains take a batch's rows oldest first.
 */
export function pendingAges(trace: readonly TraceEvent[]): Micros[] {
  const waiting = new Map<string, {ref: string; t: Micros}[]>()
  const ages: Micros[] = []
  for (const event of trace) {
    if (event.ev === 'handled' && event.outcome.kind === 'buffered') {
      const list = waiting.get(event.outcome.batchId) ?? []
      if (!list.some((w) => w.ref === (event.outcome as {ref: string}).ref)) list.push({ref: event.outcome.ref, t: event.t})
      waiting.set(event.outcome.batchId, list)
    } else if (event.ev === 'handled' && event.outcome.kind === 'registered' && event.outcome.drained > 0) {
      const list = waiting.get(event.outcome.batchId) ?? []
      for (const row of list.splice(0, event.outcome.drained)) ages.push(event.t - row.t)
    } else if (event.ev === 'expired') {
      const list = waiting.get(event.batch) ?? []
      const i = list.findIndex((w) => w.ref === event.ref)
      if (i >= 0) ages.push(event.t - list.splice(i, 1)[0].t)
    }
  }
  return ages
}

/** Each outbox's rows left unpublished at the end, and each BOS and File Service row's publish lag. */
function outboxes(trace: readonly TraceEvent[]): {depth: Map<string, number>; lags: Map<string, Micros[]>} {
  const committed = new Map<string, Map<number, Micros>>([
    ['bos', new Map()],
    ['file', new Map()],
  ])
  let elsRows = 0
  const published = new Map<string, Set<number>>([
    ['bos', new Set()],
    ['file', new Set()],
    ['els', new Set()],
  ])
  const lags = new Map<string, Micros[]>([
    ['bos', []],
    ['file', []],
  ])
  for (const event of trace) {
    if (event.ev === 'batch-registered' || event.ev === 'file-committed') committed.get(event.svc)!.set(event.row, event.t)
    if (event.ev === 'handled') elsRows += event.emitted.length
    if (event.ev !== 'published') continue
    const outbox = outboxOf(event.type)
    const rows = published.get(outbox)!
    if (rows.has(event.row)) continue
    rows.add(event.row)
    const at = committed.get(outbox)?.get(event.row)
    if (at !== undefined) lags.get(outbox)!.push(event.t - at)
  }
  const depth = new Map<string, number>([
    ['bos', committed.get('bos')!.size - published.get('bos')!.size],
    ['file', committed.get('file')!.size - published.get('file')!.size],
    ['els', elsRows - published.get('els')!.size],
  ])
  return {depth, lags}
}
