import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {InputError} from '../sim/input-error.js'
import {kafkaFlag, topicPrefixFlag} from '../cli/shared-flags.js'
import type {LiveBench, SimulatedBench} from '../sim/bench/bench.js'
import type {FirstFailureBench} from '../sim/bench/first-failure-bench.js'

export interface BenchJson {
  simulated: SimulatedBench[]
  firstFailure?: FirstFailureBench
  live?: LiveBench
}

export default class Bench extends BaseCommand {
  static override summary = 'Measure the simulator, and (with --kafka) the live relay against raw kafkajs'

  static override description = `Simulated: runs content-first (2 essays) and large-batch (25 essays) many times in virtual time and reports runs/s and wall-clock ms per run (mean, p50, p99).

Runs to first failure: on registration-first × naive with a long-tailed BOS relay (--delay bos-relay=0..4s file-processing=3985ms..3990ms upload-gap=5ms: content passes the registration in about 1 run in 1,000 drawn uniformly), --searches searches per chooser (random, pct, pos, portfolio), each seed after seed until a run fails (at most --search-runs runs); the median per chooser, and the better of PCT's and POS's over random's.

Live (--kafka local|BROKERS): on that cluster, in one run: raw kafkajs producer throughput (100 messages per request, acks=all, and one message per request), the relay's throughput draining committed outbox rows (events/s from its first poll to the last broker ack), and end-to-end latency from outbox commit to ELS handled, with batches committed at a steady pace. Goal: the relay reaches at least half of raw kafkajs throughput; a live bench that misses it exits 1 (after its report), so a script or CI job can gate on it. --events, --batches and --topic-prefix shape the live section: without --kafka they are refused.

${exitCodesHelp({0: 'the bench ran (and, live, the relay met its goal)', 1: 'live: the relay missed its goal (below half of raw kafkajs)'})}`

  static override examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench --kafka 127.0.0.1:9092 --json',
    '<%= config.bin %> kafka up --detach && <%= config.bin %> bench --kafka local',
  ]

  static override flags = {
    runs: Flags.integer({default: 500, min: 1, max: 1_000_000, summary: 'Simulated runs of content-first.'}),
    'large-runs': Flags.integer({default: 50, min: 0, max: 100_000, summary: 'Simulated runs of large-batch (0 skips it).'}),
    searches: Flags.integer({default: 20, min: 0, max: 1000, summary: 'Searches per chooser for runs to first failure (0 skips it).'}),
    'search-runs': Flags.integer({default: 5000, min: 1, max: 1_000_000, summary: 'Runs after which one search gives up.'}),
    kafka: kafkaFlag({summary: 'memory (the simulated sections only), local (the cluster of `racelab kafka up --detach`) or BROKERS (host:port,...): add the live section.'}),
    events: Flags.integer({min: 100, max: 10_000_000, summary: 'Live: events for the throughput phases (default 20000).'}),
    batches: Flags.integer({min: 1, max: 100_000, summary: 'Live: batches (1 registration + 4 contents) for the latency phase (default 100).'}),
    'topic-prefix': topicPrefixFlag({summary: 'Live: prefix of the bench topics (default racelab-bench-<unique>-).'}),
  }

  async run(): Promise<BenchJson> {
    const {flags} = await this.parse(Bench)
    const liveOnly = (['events', 'batches', 'topic-prefix'] as const).find((name) => flags[name] !== undefined)
    if (flags.kafka === 'memory' && liveOnly) throw new InputError(`--${liveOnly} shapes the live section: it goes with --kafka local|BROKERS`)
    const brokers = flags.kafka === 'memory' ? undefined : (await import('../sim/live/run-on-kafka.js')).resolveBrokers(flags.kafka, 'local or host:port[,host:port...]')
    const {benchLive, benchSimulated, defaultBenchPrefix, relayGoalMet} = await import('../sim/bench/bench.js')
    const simulated = [benchSimulated('content-first', flags.runs)]
    if (flags['large-runs'] > 0) simulated.push(benchSimulated('large-batch', flags['large-runs']))
    const firstFailure = flags.searches > 0 ? (await import('../sim/bench/first-failure-bench.js')).benchFirstFailure(flags.searches, flags['search-runs']) : undefined
    const live = brokers ? await benchLive({brokers, topicPrefix: flags['topic-prefix'] ?? defaultBenchPrefix(), events: flags.events ?? 20_000, latencyBatches: flags.batches ?? 100}) : undefined
    const json: BenchJson = {simulated, ...(firstFailure ? {firstFailure} : {}), ...(live ? {live} : {})}
    if (!this.jsonEnabled()) await this.render((await import('../ui/bench-report.js')).BenchReport, json)
    if (live && !relayGoalMet(live)) this.failAfterReport(json)
    return json
  }
}
