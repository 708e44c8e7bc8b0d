import type {LivenessModel} from '../check/observation.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {maxOf} from '../scenario/delay.js'
import type {RelaySettings, Scenario} from '../scenario/scenario.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {TraceFold} from './trace-fold.js'

/** A relay reads at most this many rows per poll (docs/domain.md#the-outbox-and-its-relay). */
const POLL_BATCH = 100

export interface LivenessInput {
  scenario: Scenario
  /** Whether one coordinated relay publishes both producers' rows. */
  coordinated: boolean
  /** The run's trace, or what the judge reads of it, folded as it happened (a run that keeps no trace). */
  trace: readonly TraceEvent[] | TraceFold
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
  const {scenario} = input
  const trace = input.trace instanceof TraceFold ? input.trace : TraceFold.of(input.trace)
  const kafka = maxOf(scenario.kafkaLatency)
  return {
    // An outage nobody ran into leaves no trace; its end counts all the same.
    healedAt: (input.healPoints ?? []).reduce((max, t) => Math.max(max, t), trace.healedAt),
    relays: producerRelays(scenario, input.coordinated).map((relay) => ({
      label: relay.label,
      committed: trace.commitTimes(relay.sources),
      marked: trace.markTimes(relay.label),
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
