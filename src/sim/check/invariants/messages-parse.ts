import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'

/**
 * messages-parse: every message on every topic is a valid envelope of its event type. A message
 * that fails its schema is a violation naming it, never silently left out of the judgement (where
 * it would show up later as a batch that "never became ready").
 */
export function messagesParse(obs: Observation): Violation[] {
  return obs.malformed.map((m) => ({
    invariant: 'messages-parse',
    batchId: m.batchId ?? '?',
    detail: `the message at ${m.topic} p${m.partition}@${m.offset} is not a valid envelope: ${m.error}`,
    events: [],
  }))
}
