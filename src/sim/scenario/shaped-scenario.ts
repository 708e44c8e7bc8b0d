import {Chooser, firstOptionSource} from '../kernel/chooser.js'
import {applyOverrides} from './overrides.js'
import type {RunShape} from './run-shape.js'
import type {Scenario, ScenarioDefinition} from './scenario.js'

/**
 * A scenario with a run's shaping flags laid over it, before any seed: what a verify cell is
 * about. A value the scenario draws per run (a skew in `random`) is its first option here, so
 * only configuration (counts, fixed delays, the pending timeout) is worth reading from it.
 */
export function shapedScenario(definition: ScenarioDefinition, shape: Omit<RunShape, 'scenario' | 'strategy' | 'seed'>): Scenario {
  const built = definition.build(new Chooser(firstOptionSource()), {essays: shape.essays, batches: shape.batches})
  return applyOverrides(built, shape)
}
