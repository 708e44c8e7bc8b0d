import {formatSeconds} from '../../kernel/time.js'
import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, eventIds, views} from '../observation-index.js'

/**
 * liveness: a batch ELS completed was ready at most `obs.livenessBound` after its last input,
 * the later of its registration at BOS and its last upload commit; and the run became quiet at
 * all (a run cut off by a step or time limit never converged). Batches that never became ready
 * are ready-exactly-once's business, not this invariant's.
 */
const STOPS: Record<string, string> = {
  'step-limit': 'it was cut off by the step limit (a fault that keeps undoing the work?)',
  'time-limit': 'it was cut off by the time limit',
  'consumer-crashed': 'a consumer crashed for good',
  'relays-gave-up': 'the relays gave up rows they could not publish and nothing could make progress any more; it was ended',
}

export function liveness(obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  if (obs.unsettled !== undefined) {
    violations.push({
      invariant: 'liveness',
      batchId: '*',
      detail: `the run never became quiet: ${STOPS[obs.unsettled] ?? obs.unsettled} at ${formatSeconds(obs.endedAt)}, with work still to do`,
      events: [],
    })
  }
  for (const view of views(index)) {
    const readyAt = view.tracker?.readyAt
    if (readyAt === undefined) continue
    const inputs = view.uploads.map((u) => u.committedAt)
    if (view.batch !== undefined) inputs.push(view.batch.committedAt)
    if (inputs.length === 0) continue
    const lastInput = inputs.reduce((max, t) => Math.max(max, t), -Infinity)
    const took = readyAt - lastInput
    if (took <= obs.livenessBound) continue
    violations.push({
      invariant: 'liveness',
      batchId: view.batchId,
      detail:
        `ready ${formatSeconds(took)} after its last input (at ${formatSeconds(lastInput)}, ready at ` +
        `${formatSeconds(readyAt)}), bound ${formatSeconds(obs.livenessBound)}`,
      events: eventIds(view.messages[TOPICS.batchEssaysReady]),
    })
  }
  return violations
}
