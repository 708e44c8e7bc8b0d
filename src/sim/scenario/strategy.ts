import type {Routing} from '../domain/routing.js'
import type {ElsStrategy} from '../services/els-strategy.js'

/** One relay per service, or one relay publishing both outboxes in global commit order. */
export type RelayLayout = 'per-service' | 'coordinated'

export interface StrategyPlan {
  summary: string
  els: ElsStrategy
  routing: Routing
  relays: RelayLayout
}

/** The remedies of docs/domain.md#remedies, each as what it changes in the system. */
export const STRATEGIES = {
  naive: {
    summary: 'the bug: early content finds no slot and is reported excess; early failures are lost',
    els: 'naive',
    routing: 'event-topics',
    relays: 'per-service',
  },
  buffer: {
    summary: 'the fix: early events wait in ELS’s pending_content and are drained at registration',
    els: 'buffer',
    routing: 'event-topics',
    relays: 'per-service',
  },
  'partition-key': {
    summary: 'both producers publish to one topic keyed by batch id; ELS stays naive',
    els: 'naive',
    routing: 'shared-topic',
    relays: 'per-service',
  },
  'relay-coordination': {
    summary: 'one relay publishes both outboxes in global commit order to the shared topic; ELS naive',
    els: 'naive',
    routing: 'shared-topic',
    relays: 'coordinated',
  },
} as const satisfies Record<string, StrategyPlan>

export type Strategy = keyof typeof STRATEGIES

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as Strategy[]
