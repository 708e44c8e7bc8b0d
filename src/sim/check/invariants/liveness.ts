import {formatSeconds, microsAt} from '../../kernel/time.js'
import {TOPICS} from '../../domain/topics.js'
import {convergenceBound} from '../convergence-bound.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type ObservationIndex, eventIds, views} from '../observation-index.js'

/**
 * liveness: once the last fault's recovery ended, the run is fault-free, and a complete batch
 * must become ready within the model's bound (docs/architecture.md#liveness), counted from the
 * later of that moment and the batch's last input (its registration at BOS, its last upload
 * commit); and the run became quiet at all (a run cut off by a step or time limit never
 * converged). Batches that never became ready are ready-exactly-once's business, not this one's.
 * When ELS's tables are its own (a user's handler), the ready time is the first BatchEssaysReady's
 * timestamp (ELS's commit time, to the ms); when ELS ran elsewhere, its broker time (its clock is
 * not the run's).
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
    const readies = view.messages[TOPICS.batchEssaysReady]
    const readyAt = obs.els.opaque
      ? readies.length === 0
        ? undefined
        : readies.reduce((min, m) => Math.min(min, obs.els.external ? m.appendedAt : microsAt(m.envelope.event_timestamp)), Infinity)
      : view.tracker?.readyAt
    if (readyAt === undefined) continue
    const inputs = view.uploads.map((u) => u.committedAt)
    if (view.batch !== undefined) inputs.push(view.batch.committedAt)
    if (inputs.length === 0) continue
    const lastInput = inputs.reduce((max, t) => Math.max(max, t), -Infinity)
    const healed = obs.liveness.healedAt > lastInput
    const from = healed ? obs.liveness.healedAt : lastInput
    const {bound, because} = convergenceBound(obs.liveness, from)
    const took = readyAt - from
    if (took <= bound) continue
    const since = healed
      ? `after the last fault healed (at ${formatSeconds(from)}; last input at ${formatSeconds(lastInput)})`
      : `after its last input (at ${formatSeconds(from)})`
    violations.push({
      invariant: 'liveness',
      batchId: view.batchId,
      detail: `ready ${formatSeconds(took)} ${since}, at ${formatSeconds(readyAt)}; bound ${formatSeconds(bound)} (${because})`,
      events: eventIds(view.messages[TOPICS.batchEssaysReady]),
    })
  }
  return violations
}
