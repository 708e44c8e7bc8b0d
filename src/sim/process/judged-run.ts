import type {BatchCounts} from '../check/checker.js'
import type {Violation} from '../check/invariant.js'
import type {RunParameters} from '../scenario/run-parameters.js'
import type {Strategy} from '../scenario/strategy.js'

/** What both shells report about a run they judged: which run it was, and the verdict. */
export interface JudgedRun {
  verdict: 'pass' | 'fail'
  violations: Violation[]
  batches: BatchCounts[]
  seed: number
  scenario: string
  strategy: Strategy
  /** The timings and shape the seed and the flags gave this run. */
  parameters: RunParameters
}
