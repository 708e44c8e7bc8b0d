import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../src/sim/scenario/fault-spec.js'
import type {Strategy} from '../../src/sim/scenario/strategy.js'
import {runSimulation, type SimulationRun} from '../../src/sim/simulated/run-simulation.js'

/** A simulated run for the export tests, with faults in the --fault grammar. */
export function simulate(scenario: string, strategy: Strategy, options: {seed?: number; faults?: string[]; elsInstances?: number} = {}): SimulationRun {
  const found = BUILTIN_SCENARIOS.get(scenario)
  if (!found) throw new Error(`no scenario ${scenario}`)
  const faults = (options.faults ?? []).map((text) => {
    const parsed = parseFaultSpec(text)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.value
  })
  return runSimulation({scenario: found, strategy, seed: options.seed ?? 1, faults, elsInstances: options.elsInstances ?? 1})
}

export const subjectOf = (run: SimulationRun) => ({scenario: run.result.scenario, strategy: run.result.strategy, seed: run.result.seed})
