import {runSimulation, type SimulationRun} from '../simulated/run-simulation.js'
import {invariantBreaks, type InvariantBreak} from './invariant-breaks.js'
import {labCommand, labRunOptions, type LabConfig} from './lab-config.js'
import {STRATEGIES} from '../scenario/strategy.js'
import type {Routing} from '../domain/routing.js'

/** One run of the lab: the config it came from, the run, where each violation broke, and its command line. */
export interface LabRun {
  config: LabConfig
  run: SimulationRun
  breaks: InvariantBreak[]
  routing: Routing
  /** The command line that opens the lab on this run again. */
  command: string
}

/** Wraps a finished run (the one the command simulated first) as a lab run. */
export function labRunOf(config: LabConfig, run: SimulationRun): LabRun {
  return {config, run, breaks: invariantBreaks(run.trace, run.result.violations), routing: STRATEGIES[config.strategy].routing, command: labCommand(config)}
}

/** Simulates a lab config (deterministic: the same config is the same run); bad input throws an InputError. */
export function simulateLab(config: LabConfig): LabRun {
  return labRunOf(config, runSimulation(labRunOptions(config)))
}
