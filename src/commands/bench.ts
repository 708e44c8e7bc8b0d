import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {InputError} from '../sim/input-error.js'
import {packageFile} from '../sim/package-root.js'
import {kafkaFlag, topicPrefixFlag} from '../cli/shared-flags.js'
import type {BenchJson} from '../sim/bench/bench-json.js'
import type {SoakProgress, SoakResult} from '../sim/bench/soak.js'
import {BENCH_PHASES, benchPhases} from '../sim/bench/bench-phases.js'
import {digitGroups} from '../sim/digit-groups.js'

export type {BenchJson} from '../sim/bench/bench-json.js'

/** The example fix shipped with racelab, resolved from the package (not the working directory). */
const DEFAULT_BENCH_HANDLER = packageFile('examples/handlers/buffer.ts')
const DEFAULT_BENCH_HANDLER_CMD = `/usr/bin/python3 ${packageFile('examples/python/els_buffer.py')}`

export default class Bench extends BaseCommand {
  static override summary = 'Measure the simulator, and (with --kafka) the live relay against raw kafkajs'

  static override description = `Simulated (simulated): runs content-first (2 essays), large-batch (25 essays) and relay-delay many times in virtual time and reports runs/s, wall-clock ms per run (mean, p50, p99) and simulated seconds per wall-clock second (goal on relay-delay: 10,000). Each scenario first runs up to 2,000 untimed seeds, and the default passes are long (--runs 5000, --large-runs 500, --delay-runs 2000): a short pass measures V8 optimizing racelab's code, not the runs a verify makes. The seeds are timed in --passes slices (default 5): runs/s is the mean over them all (the headline), with the fastest slice's runs/s (on a shared machine the least disturbed estimate, as hyperfine's min) and the runs per CPU second of the process (V8's helper threads included) beside it.

Every core (parallel; --parallel-runs N, default 20000; 0 skips it): the same content-first seeds, run and judged as verify does, through verify's worker pool on one core and then on every core; the speed-up (goal: 1.8 on two cores).

SQLite floor (floor; --floor-runs N, default 2000; 0 skips it): the same seeds of content-first run again with every SQLite statement recorded (SQL, parameters, database), then those statements alone replayed on the same databases, prepared once: racelab's runs/s over the floor's is the share of a run that is SQLite's own work, over every slice and in each side's fastest slice (--passes). Goal: at least half (0.5).

Consumer process (handler-cmd; --handler-cmd-runs N, default 50; 0 skips it): content-first with a consumer process in place of ELS (--handler-cmd, default the Python buffer fix, examples/python/els_buffer.py) against the built-in buffer strategy, the same seeds in turn: runs/s, and the protocol's round trip (2000 timer requests with nothing to expire, each one transaction of the process).

Handler (handler; --handler-runs N, default 200; 0 skips it): content-first under the built-in buffer strategy and under a user's handler in its place (--handler, default examples/handlers/buffer.ts), the same seeds, timed in turn, and the ratio of their mean ms/run (the total time over the same seeds). Goal: a handler run costs at most 1.5 built-in runs (reported, not gated: the figure is the machine's as much as the handler's).

Runs to first failure (first-failure): on registration-first × naive with a long-tailed BOS relay (--delay bos-relay=0..4s file-processing=3985ms..3990ms upload-gap=5ms: content passes the registration in about 1 run in 1,000 drawn uniformly), --searches searches per chooser (random, pct, pos, portfolio), each seed after seed until a run fails (at most --search-runs runs); the median per chooser, and the better of PCT's and POS's over random's.

Explore (explore; --explore-essays N, default 3; 0 skips it): racelab explore of true-excess × buffer with N essays (one excess file) and --fault relay-crash-after-publish=file (at most one crash: a duplicate), exhaustively: runs/s, interleavings/s, and plain enumeration's runs (no reduction, no cache) estimated from 200 random paths of the same tree (Knuth's estimator) over the runs explore made.

One large run (big-run; --big-run BATCHES, default 200; 0 skips it): content-first × buffer with BATCHES batches of 25 essays in one run, alone in a child process that keeps no trace: its wall time and peak memory (maximum resident set). Goal for 10,000 batches (250,000 files): under 60 s and under 1 GiB.

Live (live; --kafka local|BROKERS): on that cluster, in one run: raw kafkajs producer throughput (100 messages per request, acks=all, and one message per request), the relay's throughput draining committed outbox rows (events/s from its first poll to the last broker ack), and end-to-end latency from outbox commit to ELS handled, with batches committed at a steady pace. Goal: the relay reaches at least half of raw kafkajs throughput; a live bench that misses it exits 1 (after its report), so a script or CI job can gate on it.

Then the soak (soak; --soak-events, default 100000; 0 skips it): BOS and the File Service commit that many outbox rows at a steady pace while their two relays publish them; the relays crash after an ack (before published_at) 4 times, and halfway the relays lose every broker for 2 s (a broker restart as a client sees one: connections reset, new ones refused; the mock cluster cannot restart a broker, see docs/benchmarks.md). A counter reads the topics as they fill. Goals: every row on the wire at least once, the wire = the rows + the duplicates counted, nothing left unpublished, the crashes and the restart happened. A progress line shows on a terminal.

--events, --batches, --soak-events and --topic-prefix shape the live section: without --kafka they are refused.

--only PHASE[,PHASE] runs those sections alone, named as in the brackets above (${BENCH_PHASES.join(', ')}); the counts above still shape them: --only floor --floor-runs 100.

${exitCodesHelp({0: 'the bench ran (and, live, the relay and the soak met their goals)', 1: 'live: the relay missed its goal (below half of raw kafkajs), or the soak missed one'})}`

  static override examples = [
    '<%= config.bin %> bench',
    '<%= config.bin %> bench --kafka 127.0.0.1:9092 --json',
    '<%= config.bin %> kafka up --detach && <%= config.bin %> bench --kafka local',
    '<%= config.bin %> bench --kafka local --runs 1 --large-runs 0 --soak-events 20000',
    '<%= config.bin %> bench --only floor,handler --floor-runs 100',
    '<%= config.bin %> bench --only simulated,floor --passes 10 --json',
  ]

  static override flags = {
    only: Flags.string({multiple: true, delimiter: ',', summary: 'Run these sections alone (repeatable or comma-separated; see the description).'}),
    runs: Flags.integer({default: 5000, min: 1, max: 1_000_000, summary: 'Simulated runs of content-first.'}),
    'large-runs': Flags.integer({default: 500, min: 0, max: 100_000, summary: 'Simulated runs of large-batch (0 skips it).'}),
    'delay-runs': Flags.integer({default: 2000, min: 0, max: 100_000, summary: 'Simulated runs of relay-delay, for simulated s per wall s (0 skips it).'}),
    'parallel-runs': Flags.integer({default: 20000, min: 0, max: 1_000_000, summary: 'Seeds of content-first on one core, then on every core (0 skips it).'}),
    passes: Flags.integer({default: 5, min: 1, max: 100, summary: 'Slices the simulated and floor seeds are timed in: the mean over all, and the fastest slice.'}),
    'floor-runs': Flags.integer({default: 2000, min: 0, max: 100_000, summary: 'Seeds of content-first for the SQLite floor (0 skips it).'}),
    'handler-runs': Flags.integer({default: 200, min: 0, max: 100_000, summary: 'Runs of content-first, built-in buffer against a handler (0 skips it).'}),
    handler: Flags.string({summary: 'The handler module the handler phase measures (default examples/handlers/buffer.ts).'}),
    'handler-cmd-runs': Flags.integer({default: 50, min: 0, max: 100_000, summary: 'Runs of content-first with a consumer process in place of ELS (0 skips it).'}),
    'handler-cmd': Flags.string({summary: 'The consumer process that phase measures (default /usr/bin/python3 examples/python/els_buffer.py).'}),
    searches: Flags.integer({default: 20, min: 0, max: 1000, summary: 'Searches per chooser for runs to first failure (0 skips it).'}),
    'search-runs': Flags.integer({default: 5000, min: 1, max: 1_000_000, summary: 'Runs after which one search gives up.'}),
    'explore-essays': Flags.integer({default: 3, min: 0, max: 5, summary: 'Essays of the scope explore measures (0 skips it).'}),
    'big-run': Flags.integer({default: 200, min: 0, max: 10_000, summary: 'Batches of 25 essays in one run, alone in a process: its wall time and peak memory (0 skips it).'}),
    kafka: kafkaFlag({summary: 'memory (the simulated sections only), local (the cluster of `racelab kafka up --detach`) or BROKERS (host:port,...): add the live section.'}),
    events: Flags.integer({min: 100, max: 10_000_000, summary: 'Live: events for the throughput phases (default 20000).'}),
    batches: Flags.integer({min: 1, max: 100_000, summary: 'Live: batches (1 registration + 4 contents) for the latency phase (default 100).'}),
    'soak-events': Flags.integer({min: 0, max: 10_000_000, summary: 'Live: outbox rows for the soak, with relay crashes and a broker restart (default 100000; 0 skips it).'}),
    'topic-prefix': topicPrefixFlag({summary: 'Live: prefix of the bench topics (default racelab-bench-<unique>-).'}),
  }

  async run(): Promise<BenchJson> {
    const {flags} = await this.parse(Bench)
    const phases = benchPhases(flags.only)
    const onCluster = (['live', 'soak'] as const).find((phase) => flags.only?.includes(phase))
    if (onCluster !== undefined && flags.kafka === 'memory') throw new InputError(`--only ${onCluster}: that section runs on a cluster: it goes with --kafka local|BROKERS`)
    const liveOnly = (['events', 'batches', 'soak-events', 'topic-prefix'] as const).find((name) => flags[name] !== undefined)
    if (flags.kafka === 'memory' && liveOnly) throw new InputError(`--${liveOnly} shapes the live section: it goes with --kafka local|BROKERS`)
    const brokers = flags.kafka === 'memory' ? undefined : (await import('../sim/live/run-on-kafka.js')).resolveBrokers(flags.kafka, 'local or host:port[,host:port...]')
    if (!phases.has('handler') && flags.handler !== undefined) throw new InputError('--handler is the handler phase’s module: --only leaves that phase out')
    if (!phases.has('handler-cmd') && flags['handler-cmd'] !== undefined) throw new InputError('--handler-cmd is the process phase’s command: --only leaves that phase out')
    if (flags['handler-runs'] === 0 && flags.handler !== undefined) throw new InputError('--handler is the handler phase’s module: it goes with --handler-runs N (not 0)')
    if (flags['handler-cmd-runs'] === 0 && flags['handler-cmd'] !== undefined) throw new InputError('--handler-cmd is the process phase’s command: it goes with --handler-cmd-runs N (not 0)')
    const {benchHandler, benchLive, benchSimulated, defaultBenchPrefix, relayGoalMet} = await import('../sim/bench/bench.js')
    const simulated = phases.has('simulated') ? [benchSimulated('content-first', flags.runs, undefined, flags.passes)] : []
    if (phases.has('simulated') && flags['large-runs'] > 0) simulated.push(benchSimulated('large-batch', flags['large-runs'], undefined, flags.passes))
    if (phases.has('simulated') && flags['delay-runs'] > 0) simulated.push(benchSimulated('relay-delay', flags['delay-runs'], undefined, flags.passes))
    const parallel = phases.has('parallel') && flags['parallel-runs'] > 0 ? await (await import('../sim/bench/parallel-bench.js')).benchParallel('content-first', flags['parallel-runs']) : undefined
    const floor = phases.has('floor') && flags['floor-runs'] > 0 ? (await import('../sim/bench/sqlite-floor.js')).benchSqliteFloor('content-first', flags['floor-runs'], flags.passes) : undefined
    const handler = phases.has('handler') && flags['handler-runs'] > 0 ? await benchHandler(flags.handler ?? DEFAULT_BENCH_HANDLER, 'content-first', flags['handler-runs']) : undefined
    const handlerCmd =
      phases.has('handler-cmd') && flags['handler-cmd-runs'] > 0
        ? (await import('../sim/bench/handler-cmd-bench.js')).benchHandlerCmd(flags['handler-cmd'] ?? DEFAULT_BENCH_HANDLER_CMD, 'content-first', flags['handler-cmd-runs'])
        : undefined
    const firstFailure = phases.has('first-failure') && flags.searches > 0 ? (await import('../sim/bench/first-failure-bench.js')).benchFirstFailure(flags.searches, flags['search-runs']) : undefined
    const explore = phases.has('explore') && flags['explore-essays'] > 0 ? (await import('../sim/bench/explore-bench.js')).benchExplore(flags['explore-essays']) : undefined
    const bigRun = phases.has('big-run') && flags['big-run'] > 0 ? (await import('../sim/bench/big-run-bench.js')).benchBigRun(flags['big-run']) : undefined
    const prefix = flags['topic-prefix'] ?? defaultBenchPrefix()
    const liveBench = brokers && phases.has('live') ? await benchLive({brokers, topicPrefix: prefix, events: flags.events ?? 20_000, latencyBatches: flags.batches ?? 100}) : undefined
    const soakEvents = flags['soak-events'] ?? 100_000
    let soak: SoakResult | undefined
    if (brokers && phases.has('soak') && soakEvents > 0) {
      const progress = this.jsonEnabled() || !process.stderr.isTTY ? undefined : soakProgressLine(process.stderr)
      soak = await (await import('../sim/bench/soak.js')).soak({brokers, topicPrefix: `${prefix}soak-`, events: soakEvents, onProgress: progress?.show})
      progress?.done()
    }
    const json: BenchJson = {simulated, ...(parallel ? {parallel} : {}), ...(floor ? {floor} : {}), ...(handler ? {handler} : {}), ...(handlerCmd ? {handlerCmd} : {}), ...(firstFailure ? {firstFailure} : {}), ...(explore ? {explore} : {}), ...(bigRun ? {bigRun} : {}), ...(liveBench ? {live: liveBench} : {}), ...(soak ? {soak} : {})}
    if (!this.jsonEnabled()) await this.render((await import('../ui/bench-report.js')).BenchReport, json)
    if ((liveBench && !relayGoalMet(liveBench)) || (soak && !soak.passed)) this.failAfterReport(json)
    return json
  }
}

/** The soak's progress on a terminal: one line on stderr, rewritten as it goes, cleared at the end. */
function soakProgressLine(stream: NodeJS.WriteStream) {
  let shown = false
  const n = digitGroups
  return {
    show(p: SoakProgress): void {
      shown = true
      const what = p.phase === 'counting' ? `counting the wire: ${n(p.read)} read` : `${n(p.committed)}/${n(p.events)} rows committed, ${n(p.acked)} acked, ${n(p.read)} counted`
      stream.write(`\rsoak (${p.phase === 'counting' ? 'done publishing' : p.phase}): ${what}\u001B[K`)
    },
    done(): void {
      if (shown) stream.write('\r\u001B[K')
    },
  }
}
