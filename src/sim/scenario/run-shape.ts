import type {HandlerCommand} from '../consumer/handler-command.js'
import type {Fault} from './fault-spec.js'
import type {ScenarioOverrides} from './overrides.js'
import type {ScenarioDefinition} from './scenario.js'
import type {Strategy} from './strategy.js'

/** What selects and shapes a run, in either shell: the scenario, strategy, seed and the shaping flags. */
export interface RunShape extends ScenarioOverrides {
  scenario: ScenarioDefinition
  strategy: Strategy
  seed: number
  essays?: number
  batches?: number
  /** Invalid uploads per batch, at positions drawn from the seed (`--invalid`, see invalid-uploads.ts). */
  invalid?: number
  faults?: readonly Fault[]
  /** ELS instances in the consumer group (default 1). */
  elsInstances?: number
  /**
   * A user's ELS handler module, the path as given (docs/handlers.md): it runs in place of the
   * strategy's ELS, whose routing and relays stay. Loaded beforehand (`loadHandler`).
   */
  handler?: string
  /**
   * A user's consumer process (`--handler-cmd`, docs/handler-protocol.md): one child per ELS
   * instance in place of the strategy's ELS, spoken to over line-delimited JSON. Excludes `handler`.
   */
  handlerCmd?: HandlerCommand
  /** Directory for the three SQLite files; in memory when absent. */
  dbDir?: string
}
