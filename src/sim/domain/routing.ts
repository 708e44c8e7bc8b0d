import {SHARED_BATCH_TOPIC} from './topics.js'

/** Where the producers publish: the real per-event topics, or one shared topic keyed by batch id. */
export type Routing = 'event-topics' | 'shared-topic'

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
