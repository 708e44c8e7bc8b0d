import {SECOND, type Micros} from '../kernel/time.js'
import {maxOf} from '../scenario/delay.js'
import {batchLayouts, type Scenario} from '../scenario/scenario.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {TraceEvent} from '../trace/trace-event.js'

/**
 * How long after its last input a complete batch may take to become ready: the slower producing
 * relay's worst wait (publish delay + idle poll) and a full relay batch of broker round trips,
 * then ELS working through every message of the run, plus a second of slack.
 */
export function livenessBound(scenario: Scenario): Micros {
  const kafka = maxOf(scenario.kafkaLatency)
  const relayWorst = (service: ServiceName): Micros => {
    const relay = scenario.relays[service]
    return maxOf(relay.publishDelay) + Math.max(SECOND, relay.pollInterval) + 100 * kafka
  }
  const messages = batchLayouts(scenario).reduce((sum, batch) => sum + 1 + batch.files.length, 0)
  return Math.max(relayWorst('bos'), relayWorst('file')) + kafka + messages * (maxOf(scenario.elsHandling) + kafka) + SECOND
}

/** Faults that fired delay a batch legitimately: each adds the time its recovery takes. */
export function recoveryAllowance(trace: readonly TraceEvent[]): Micros {
  let total = 0
  for (const event of trace) {
    if ('restartIn' in event) total += event.restartIn
    else if ('retryIn' in event) total += event.retryIn
  }
  return total
}
