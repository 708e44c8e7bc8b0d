import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import type {RunOptions} from '../simulated/run-simulation.js'

/** What shapes a run besides its scenario, strategy and seed (the `--essays/--invalid/--delay/--fault...` flags). */
export type ShapeOptions = Pick<RunOptions, 'essays' | 'batches' | 'invalid' | 'delays' | 'faults' | 'wakes' | 'elsInstances' | 'handler' | 'handlerCmd' | 'chooser'>

/**
 * Run options as plain data, so they cross a worker boundary: the scenario by name (a definition
 * holds functions), no database directory, no fixture plan, no test-only ELS variant.
 */
export type RunSpec = Omit<RunOptions, 'scenario' | 'dbDir' | 'plan' | 'makeEls'> & {scenario: string}

export function toRunOptions(spec: RunSpec): RunOptions {
  const scenario = BUILTIN_SCENARIOS.get(spec.scenario)
  if (!scenario) throw new Error(`unknown scenario "${spec.scenario}"`)
  return {...spec, scenario}
}

export function toRunSpec(options: RunOptions): RunSpec {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const {scenario, dbDir, plan, makeEls, ...rest} = options
  return {...rest, scenario: scenario.name}
}
