import type {LivenessModel} from '../check/observation.js'
import type {EventType} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {maxOf} from '../scenario/delay.js'
import type {RelaySettings, Scenario} from '../scenario/scenario.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** A relay reads at most this many rows per poll (docs/domain.md#the-outbox-and-its-relay). */
const POLL_BATCH = 100

export interface LivenessInput {
  scenario: Scenario
  /** Whether one coordinated relay publishes both producers' rows. */
  coordinated: boolean
  trace: readonly TraceEvent[]
  /** Messages on ELS's input topics (copies included): each is handled at most once after healing. */
  inputMessages: number
  elsInstances: number
  /** Ends of fault windows the trace does not show (a broker outage nobody hit). */
  healPoints?: readonly Micros[]
  /** Added to every bound: a live shell's scheduling and broker noise. */
  slack?: Micros
}

/**
 * Liveness you can trust, in TigerBeetle's split (docs/architecture.md#liveness): while faults
 * fire only safety is judged; from the moment the last fault's recovery ended (`healedAt`) the run
 * is fault-free, and from then on a complete batch must become ready within a bound derived from
 * the relay and consumer model: every producing relay finishes the poll it is in and then works
 * through the rows waiting in its outbox, 100 per poll, each poll paying its publish delay and a
 * broker round trip per row; the broker makes the last message visible; ELS handles every input
 * message (and one redelivery per instance) at its slowest handling time.
 */
export function livenessModel(input: LivenessInput): LivenessModel {
  const {scenario, trace} = input
  const kafka = maxOf(scenario.kafkaLatency)
  return {
    healedAt: healedAt(trace, input.healPoints ?? []),
    relays: producerRelays(scenario, input.coordinated).map((relay) => ({
      label: relay.label,
      committed: commitTimes(trace, relay.sources),
      marked: markTimes(trace, relay.label),
      perPoll: relay.publishDelay + POLL_BATCH * kafka,
      idlePoll: Math.max(SECOND, relay.pollInterval),
    })),
    pollBatch: POLL_BATCH,
    elsMessages: input.inputMessages + input.elsInstances,
    elsPerMessage: maxOf(scenario.elsHandling) + kafka,
    kafka,
    slack: SECOND + (input.slack ?? 0),
  }
}

interface ProducerRelay {
  label: string
  sources: readonly ServiceName[]
  publishDelay: Micros
  pollInterval: Micros
}

function producerRelays(scenario: Scenario, coordinated: boolean): ProducerRelay[] {
  const of = (label: string, sources: ServiceName[], settings: RelaySettings[]): ProducerRelay => ({
    label,
    sources,
    publishDelay: Math.max(...settings.map((s) => maxOf(s.publishDelay))),
    pollInterval: Math.max(...settings.map((s) => s.pollInterval)),
  })
  const {bos, file} = scenario.relays
  if (coordinated) return [of('coordinated-relay', ['bos', 'file'], [bos, file])]
  return [of('bos-relay', ['bos'], [bos]), of('file-relay', ['file'], [file])]
}

/** When each outbox row of `sources` was committed, in trace (time) order. */
function commitTimes(trace: readonly TraceEvent[], sources: readonly ServiceName[]): Micros[] {
  const times: Micros[] = []
  for (const event of trace) {
    if (event.ev === 'batch-registered' && sources.includes('bos')) times.push(event.t)
    else if (event.ev === 'file-committed' && sources.includes('file')) times.push(event.t)
  }
  return times
}

/**
 * When each row of a relay was published for good: its ack, unless the relay crashed on that very
 * row before writing published_at (then the row waits for the restarted relay to send it again).
 */
function markTimes(trace: readonly TraceEvent[], label: string): Micros[] {
  const marked = new Map<string, Micros>()
  const lastSent = new Map<number, string>()
  for (const event of trace) {
    if (event.svc !== label) continue
    if (event.ev === 'published') {
      const key = `${sourceOf(event.type)}:${event.row}`
      lastSent.set(event.row, key)
      if (!marked.has(key)) marked.set(key, event.t)
    } else if (event.ev === 'relay-crashed') {
      const key = lastSent.get(event.row)
      if (key !== undefined) marked.delete(key)
    }
  }
  return [...marked.values()].sort((a, b) => a - b)
}

function sourceOf(type: EventType): ServiceName {
  if (type === TOPICS.batchEssaysRegistered) return 'bos'
  return type === TOPICS.essayContentProvisioned || type === TOPICS.essayValidationFailed ? 'file' : 'els'
}

/** When the last fault's recovery ended: a crash's restart, a failed publish's or handling's retry. */
function healedAt(trace: readonly TraceEvent[], healPoints: readonly Micros[]): Micros {
  let at = healPoints.reduce((max, t) => Math.max(max, t), 0)
  for (const event of trace) {
    if ('restartIn' in event) at = Math.max(at, event.t + event.restartIn)
    else if ('retryIn' in event) at = Math.max(at, event.t + event.retryIn)
  }
  return at
}
