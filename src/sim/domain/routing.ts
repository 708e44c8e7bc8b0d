import type {Routing} from '../scenario/strategy.js'
import {SHARED_BATCH_TOPIC} from './topics.js'

export interface Route {
  topic: string
  key: string
}

/**
 * Where a producer publishes an event: its own topic with the real system's key, or, under the
 * partition-key remedy, the shared topic keyed by batch id.
 */
export function routeFor(routing: Routing, eventType: string, ownKey: string, batchId: string): Route {
  return routing === 'shared-topic' ? {topic: SHARED_BATCH_TOPIC, key: batchId} : {topic: eventType, key: ownKey}
}
