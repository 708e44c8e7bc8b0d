import type {RunResult} from './run-simulation.js'

/** The one command line that reproduces a run exactly: its selection plus the shaping flags. */
export function reproduceCommand(result: Pick<RunResult, 'scenario' | 'strategy' | 'seed'>, shapeArgs: readonly string[]): string {
  return ['racelab run', `--scenario ${result.scenario}`, `--strategy ${result.strategy}`, `--seed ${result.seed}`, ...shapeArgs].join(' ')
}
