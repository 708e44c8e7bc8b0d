import type {RunResult} from './run-simulation.js'

/** The one command line that reproduces a run exactly. */
export function reproduceCommand(result: RunResult, topology: {essays?: number; batches?: number}): string {
  const parts = ['racelab run', `--scenario ${result.scenario}`, `--strategy ${result.strategy}`, `--seed ${result.seed}`]
  if (topology.essays !== undefined) parts.push(`--essays ${topology.essays}`)
  if (topology.batches !== undefined) parts.push(`--batches ${topology.batches}`)
  return parts.join(' ')
}
