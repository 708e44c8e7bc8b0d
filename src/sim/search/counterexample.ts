import type {InvariantName} from '../check/invariant.js'
import type {RunOptions, SimulationRun} from '../simulated/run-simulation.js'

/** A failing run reduced until nothing more can be removed while the same invariant still fails. */
export interface Counterexample {
  invariant: InvariantName
  /** The reduced options (fewer batches, essays, faults, smaller delays); `schedule` replays it. */
  options: RunOptions
  /** The reduced run itself. */
  run: SimulationRun
  /** One sentence naming the reordering that caused the failure. */
  explanation: string
  /** Candidate runs tried while shrinking. */
  attempts: number
}
