import type {HandlerBench, LiveBench, SimulatedBench} from './bench.js'
import type {BigRunBench} from './big-run-bench.js'
import type {ExploreBench} from './explore-bench.js'
import type {FirstFailureBench} from './first-failure-bench.js'
import type {HandlerCmdBench} from './handler-cmd-bench.js'
import type {ParallelBench} from './parallel-bench.js'
import type {SoakResult} from './soak.js'
import type {SqliteFloor} from './sqlite-floor.js'

/** What `racelab bench` measured, a key per section it ran (`--only` names them: bench-phases.ts). */
export interface BenchJson {
  simulated: SimulatedBench[]
  parallel?: ParallelBench
  floor?: SqliteFloor
  handler?: HandlerBench
  handlerCmd?: HandlerCmdBench
  firstFailure?: FirstFailureBench
  explore?: ExploreBench
  bigRun?: BigRunBench
  live?: LiveBench
  soak?: SoakResult
}
