import {performance} from 'node:perf_hooks'

import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {BIG_RUN, type BigRunBench} from './big-run-bench.js'

// The child process of `benchBigRun`: one large run, then its figures as JSON on stdout.
const batches = Number(process.argv[2])
const started = performance.now()
const {result} = runSimulation({scenario: BUILTIN_SCENARIOS.get(BIG_RUN.scenario)!, strategy: BIG_RUN.strategy, seed: 1, essays: BIG_RUN.essays, batches, keepTrace: false})
const seconds = (performance.now() - started) / 1000
const figures: BigRunBench = {
  ...BIG_RUN,
  batches,
  files: batches * BIG_RUN.essays,
  events: result.events,
  verdict: result.verdict,
  seconds: Math.round(seconds * 100) / 100,
  // maxRSS is in kilobytes.
  peakMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}
process.stdout.write(JSON.stringify(figures) + '\n')
