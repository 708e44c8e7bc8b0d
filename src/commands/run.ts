import {Flags, type Interfaces} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {InputError} from '../sim/input-error.js'
import {runFlags, runOptions, scheduleArgs, shapeArgs, SIM_REFERENCE} from '../cli/sim-flags.js'
import {forceFlag, handlerCmdFlag, handlerFlag, handlerTimeoutFlag, kafkaFlag, topicPrefixFlag, traceFormatFlag, userConsumerFlags} from '../cli/shared-flags.js'
import {CHOOSER_REFERENCE, chooserFlags, chooserSpec} from '../cli/chooser-flags.js'
import {chooserArgs, type ChooserSpec} from '../sim/kernel/chooser-spec.js'
import {ensureWritableDir, ensureWritableFile} from '../cli/writable-path.js'
import {METRICS_HEAD, ownTraceFile, type TraceFormat} from '../export/trace-formats.js'
import type {WriteTarget} from '../sim/files/safe-write.js'
import type {RunOptions, RunResult} from '../sim/simulated/run-simulation.js'
import type {LiveRunJson} from '../sim/live/run-on-kafka.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import type {ForeignEls} from '../export/prometheus-metrics.js'
import type {ElsMetrics} from '../sim/services/els.js'

export type RunJson = RunResult & {reproduce: string}

export default class Run extends BaseCommand {
  static override summary = 'Run one scenario in virtual time and check every invariant'

  static override description = `Runs BOS, the File Service, their outbox relays and ELS in one process over SQLite and an in-memory Kafka, in virtual time, then checks the invariants. Prints a timeline (one line per event: virtual time, service, what happened) and a verdict. A run of more than 200 events shows its first and last 100 (--timeline full prints every one, --trace FILE writes them all); on a terminal a long run shows its progress on stderr.

${SIM_REFERENCE}

${CHOOSER_REFERENCE}

${exitCodesHelp({0: 'every invariant holds', 1: 'an invariant is violated (the report says which)'})}`

  static override examples = [
    {description: 'Reproduce the race: ELS sees content before registration', command: '<%= config.bin %> run --scenario content-first --strategy naive'},
    {description: 'The buffering fix holds in the same ordering', command: '<%= config.bin %> run --scenario content-first --strategy buffer'},
    {description: 'Draw delays from a seed and keep a JSON-lines trace', command: '<%= config.bin %> run --scenario random --seed 42 --trace run.jsonl'},
    {description: 'Keep the three SQLite databases to inspect with sqlite3', command: '<%= config.bin %> run --scenario partial --db ./racelab-db'},
    {description: 'The real deployment: BOS never wakes its relay, which polls every second', command: "<%= config.bin %> run --scenario random --wake bos=off --delay bos-poll=1s --delay file-relay=0..500ms"},
    {description: 'Your own ELS consumer in place of the strategy’s (docs/handlers.md)', command: '<%= config.bin %> run --scenario content-first --handler examples/handlers/buffer.ts'},
    {description: 'Judge a consumer that runs elsewhere (racelab els, or yours) from its topics', command: '<%= config.bin %> run --kafka local --els external --scenario content-first'},
    {description: 'Your consumer in any language, as a process over JSON lines (docs/handler-protocol.md)', command: "<%= config.bin %> run --scenario content-first --handler-cmd '/usr/bin/python3 examples/python/els_buffer.py'"},
    {description: 'Every fault at once, three ELS instances', command: "<%= config.bin %> run --scenario random --fault relay-crash-after-publish --fault els-restart@20% --fault 'broker-unavailable=1s..2s' --els-instances 3"},
    {description: 'Any process may crash between any two of its steps; the broker refuses some publishes', command: "<%= config.bin %> run --scenario large-batch --fault crash=all@10% --fault publish-error=bos,file@20%"},
  ]

  static override flags = {
    ...runFlags(),
    ...chooserFlags,
    db: Flags.string({summary: 'Directory for bos.sqlite, file.sqlite, els.sqlite (replaced each run); in memory if absent.'}),
    trace: Flags.string({summary: 'Write every event to FILE, as --trace-format says (replaces a trace racelab wrote).'}),
    'trace-format': traceFormatFlag(),
    metrics: Flags.string({summary: 'Write ELS’s buffer and the relays’ metrics at the end to FILE (Prometheus text format).'}),
    'metrics-port': Flags.integer({min: 0, max: 65_535, summary: 'With --kafka: serve the metrics so far at http://127.0.0.1:PORT/metrics while the run runs (0: any free port).'}),
    force: forceFlag('With --trace or --metrics: replace an existing FILE racelab did not write (never a symlink, directory or device).'),
    handler: handlerFlag,
    'handler-cmd': handlerCmdFlag,
    'handler-timeout': handlerTimeoutFlag,
    kafka: kafkaFlag(),
    'topic-prefix': topicPrefixFlag({summary: 'With --kafka BROKERS: prefix of every topic and group (default racelab-<seed>-<unique>-).'}),
    timeline: Flags.option({
      options: ['short', 'full'] as const,
      summary: 'short (the default): a run of more than 200 events shows its first and last 100; full: every event.',
    })(),
    els: Flags.option({
      options: ['external'] as const,
      summary: 'With --kafka: external runs no ELS; a consumer running elsewhere is judged from its topics (docs/black-box.md).',
    })(),
    cleanup: Flags.boolean({
      summary: 'With --kafka BROKERS: delete the run’s topics after the check, where the cluster’s admin API allows (not on the mock cluster).',
    }),
  }

  async run(): Promise<RunJson | LiveRunJson> {
    const {flags} = await this.parse(Run)
    if (flags.kafka !== 'memory' && flags.schedule !== undefined) {
      throw new InputError('--schedule replays virtual-time choices; a live run (--kafka) has none to replay')
    }
    if (flags.els === 'external' && flags.kafka === 'memory') {
      throw new InputError('--els external judges a consumer that runs elsewhere, on a real cluster: it goes with --kafka local or --kafka BROKERS')
    }
    if (flags.kafka !== 'memory' && flags.handler !== undefined) throw new InputError('--handler runs a handler in the simulator; a live run (--kafka) uses racelab’s own ELS')
    if (flags.kafka !== 'memory' && flags['handler-cmd'] !== undefined) throw new InputError('--handler-cmd runs a consumer process in the simulator; a live run (--kafka) uses racelab’s own ELS')
    if (flags.kafka === 'memory' && flags.cleanup) throw new InputError('--cleanup deletes a live run’s topics: it goes with --kafka BROKERS')
    if (flags.kafka === 'memory' && flags['topic-prefix'] !== undefined) throw new InputError('--topic-prefix names a live run’s topics: it goes with --kafka BROKERS')
    if (flags['metrics-port'] !== undefined && flags.kafka === 'memory') throw new InputError('--metrics-port serves a live run’s metrics while it runs (--kafka); a simulated run is over at once: use --metrics FILE')
    if (flags.timeline !== undefined && flags.kafka !== 'memory') throw new InputError('--timeline: a live run (--kafka) streams every event as it happens')
    if (flags.timeline !== undefined && this.jsonEnabled()) throw new InputError('--timeline shapes the human report; --json prints none (--trace FILE writes every event)')
    if (flags['trace-format'] !== undefined && flags.trace === undefined) throw new InputError('--trace-format says what --trace FILE holds: it goes with --trace')
    if (flags.force && flags.trace === undefined && flags.metrics === undefined) throw new InputError('--force replaces a file racelab writes: it goes with --trace or --metrics')
    if (flags.kafka !== 'memory' && (flags.chooser !== 'random' || flags.depth !== undefined)) {
      throw new InputError('--chooser: a live run (--kafka) has no choices to draw: the broker and the timers order it')
    }
    const checked = {
      chooser: chooserSpec(flags),
      options: runOptions(flags),
      dbDir: flags.db === undefined ? undefined : ensureWritableDir('--db', flags.db),
      tracePath: flags.trace === undefined ? undefined : ensureWritableFile('--trace', flags.trace, {force: flags.force, ours: ownTraceFile}),
      traceFormat: flags['trace-format'] ?? 'jsonl',
      metricsPath: flags.metrics === undefined ? undefined : ensureWritableFile('--metrics', flags.metrics, {force: flags.force, ours: (head) => head.startsWith(METRICS_HEAD)}),
    }
    return flags.kafka === 'memory' ? this.inMemory(flags, checked) : this.live(flags, checked)
  }

  /**
   * The simulation: virtual time over the memory bus, the report printed once it is over. Only a
   * bounded part of it goes through ink: the heading, at most 200 timeline lines (--timeline full
   * prints the rest as plain lines) and the verdict. A long run shows its progress on stderr.
   */
  private async inMemory(flags: RunFlags, {chooser, options: run, dbDir, tracePath, traceFormat, metricsPath}: Checked): Promise<RunJson> {
    const [{runSimulation}, {userConsumerArgs, reproduceCommand}, {writeTraceAs}, {formatTraceEvent}, {formatRunProgress, timelineExcerpt, TimelineKeeper}, {TraceStream}] = await Promise.all([
      import('../sim/simulated/run-simulation.js'),
      import('../sim/simulated/reproduce.js'),
      import('../export/trace-format.js'),
      import('../ui/timeline-line.js'),
      import('../ui/run-timeline.js'),
      import('../sim/trace/trace-stream.js'),
    ])
    const {handler, handlerCmd} = await userConsumerFlags(flags)
    const progress = this.jsonEnabled() || !process.stderr.isTTY ? undefined : progressLine(process.stderr, formatRunProgress)
    const options = {...run, handler, handlerCmd, chooser}
    // Only what needs every event keeps the trace: a JSON-lines --trace is written as the run goes,
    // and the report's excerpt gathered, so a large run holds no trace (docs/benchmarks.md#one-large-run-2026-12-01).
    // A user's consumer is run twice and its traces compared, so its run keeps its trace.
    const user = handler !== undefined || handlerCmd !== undefined
    const stream = tracePath && traceFormat === 'jsonl' && !user ? new TraceStream(tracePath) : undefined
    const keepTrace = (tracePath !== undefined && stream === undefined) || metricsPath !== undefined || flags.timeline === 'full' || user
    const keeper = keepTrace || this.jsonEnabled() ? undefined : new TimelineKeeper()
    const onTrace =
      progress || keeper || stream
        ? (event: TraceEvent): void => {
            stream?.write(event)
            keeper?.add(event)
            progress?.onTrace(event)
          }
        : undefined
    let simulated: ReturnType<typeof runSimulation>
    try {
      // One run a user watches: a consumer process's stderr passes through (the second run's is kept).
      simulated = runSimulation({...options, dbDir, onTrace, onJudging: progress?.judging, keepTrace, handlerStderr: 'inherit'})
    } catch (error) {
      stream?.abandon()
      throw error
    } finally {
      progress?.done()
    }
    const {result, trace} = simulated
    // A handler's state kept outside the run (module-level variables, a process's files) shows as a second run that differs.
    if (handler !== undefined || handlerCmd !== undefined) {
      const {firstDivergence} = await import('../sim/simulated/trace-divergence.js')
      const again = runSimulation(options).trace
      const at = firstDivergence(trace, again)
      if (at !== undefined) {
        const line = (event: (typeof trace)[number] | undefined) => (event === undefined ? 'the end of the run' : formatTraceEvent(event).trim())
        const who = handler === undefined ? `--handler-cmd '${handlerCmd!.command}': the consumer process` : `--handler ${handler}: handler`
        throw new InputError(`${who} is nondeterministic: two runs of seed ${flags.seed} differ first at event ${at + 1}: "${line(trace[at])}", then "${line(again[at])}"`)
      }
    }
    const reproduceArgs = [...shapeArgs(flags), ...userConsumerArgs({handler, handlerCmd}), ...chooserArgs(chooser), ...scheduleArgs(flags)]
    const json: RunJson = {...result, reproduce: reproduceCommand(result, reproduceArgs)}
    if (stream) stream.finish()
    else if (tracePath) writeTraceAs(tracePath, traceFormat, trace, {scenario: result.scenario, strategy: result.strategy, seed: result.seed, reproduce: json.reproduce})
    if (metricsPath) await writeMetrics(metricsPath, trace, result, result.metrics ?? {why: `the consumer is ${handler === undefined ? '--handler-cmd' : '--handler'}, whose buffer is its own`, deadLetters: 'from-trace'})
    if (!this.jsonEnabled()) {
      const {runReport, runReportFooter, runReportHeader} = await import('../ui/run-report.js')
      if (flags.timeline === 'full') {
        this.print(runReportHeader(result))
        for (const event of trace) this.log(formatTraceEvent(event))
        this.print(runReportFooter(result, json.reproduce))
      } else {
        this.print(runReport(result, keeper?.excerpt() ?? timelineExcerpt(trace), json.reproduce))
      }
    }
    if (result.verdict === 'fail') this.failAfterReport(json)
    return json
  }

  /** Live: the same services and checker on a real cluster, the timeline streamed as it happens. */
  private async live(flags: RunFlags, {options, dbDir, tracePath, traceFormat, metricsPath}: Checked): Promise<LiveRunJson> {
    const [{runOnKafka}, {writeTraceAs}, {formatTraceEvent}] = await Promise.all([
      import('../sim/live/run-on-kafka.js'),
      import('../export/trace-format.js'),
      import('../ui/timeline-line.js'),
    ])
    const {scenario} = options
    const human = !this.jsonEnabled()
    const soFar: TraceEvent[] = []
    const server =
      flags['metrics-port'] === undefined ? undefined : await serveLiveMetrics(flags['metrics-port'], soFar, {scenario: scenario.name, strategy: flags.strategy, seed: flags.seed}, flags.els === 'external' ? EXTERNAL_ELS : undefined)
    const live = await runOnKafka({
      ...options,
      kafka: flags.kafka,
      topicPrefix: flags['topic-prefix'],
      cleanup: flags.cleanup,
      dbDir,
      els: flags.els,
      shapeArgs: shapeArgs(flags),
      onStarted: human
        ? ({clusterId, topicPrefix}) =>
            this.log(
              `racelab run --kafka: scenario ${scenario.name}, ${flags.els === 'external' ? 'ELS external (not run here)' : `strategy ${flags.strategy}`}, seed ${flags.seed}, cluster ${clusterId}, topics ${topicPrefix}*\n`,
            )
        : undefined,
      onTrace:
        human || server
          ? (event) => {
              if (server) soFar.push(event)
              if (human) this.log(formatTraceEvent(event))
            }
          : undefined,
    }).finally(() => server?.close())
    if (tracePath) writeTraceAs(tracePath, traceFormat, live.trace, {scenario: scenario.name, strategy: flags.strategy, seed: flags.seed, reproduce: live.json.rerun})
    if (metricsPath) await writeMetrics(metricsPath, live.trace, live.result, flags.els === 'external' ? EXTERNAL_ELS : (live.result.metrics ?? USER_ELS))
    if (human) await this.render((await import('../ui/live-run-report.js')).LiveRunReport, {result: live.result, rerun: live.json.rerun})
    if (live.result.verdict === 'fail') this.failAfterReport(live.json)
    return live.json
  }
}

type RunFlags = Interfaces.InferredFlags<typeof Run.flags>

/** --els external: ELS runs elsewhere, and so do its counters. */
const USER_ELS: ForeignEls = {why: 'the consumer is a user’s, whose buffer is its own', deadLetters: 'from-trace'}
const EXTERNAL_ELS: ForeignEls = {why: 'ELS runs elsewhere (--els external): its buffer and its counters are its own', deadLetters: 'unknown'}

/**
 * --metrics FILE: the run's metrics in the Prometheus text format (src/export/prometheus-metrics.ts);
 * `els` is ELS's own counters, or why racelab has none (a consumer that is not racelab's ELS).
 */
async function writeMetrics(target: WriteTarget, trace: readonly TraceEvent[], subject: Pick<RunResult, 'scenario' | 'strategy' | 'seed'>, els: ElsMetrics | ForeignEls): Promise<void> {
  const [{prometheusMetrics}, {writeFileSafely}] = await Promise.all([import('../export/prometheus-metrics.js'), import('../sim/files/safe-write.js')])
  writeFileSafely(target, prometheusMetrics(trace, els, subject))
}

/**
 * --metrics-port: the metrics of the live run so far, served while it runs; the address goes to
 * stderr, so that --json's stdout stays one document.
 */
async function serveLiveMetrics(port: number, trace: readonly TraceEvent[], subject: {scenario: string; strategy: string; seed: number}, foreign: ForeignEls | undefined) {
  const [{serveMetrics}, {prometheusMetrics}, {elsMetricsSoFar}] = await Promise.all([
    import('../live-metrics/metrics-server.js'),
    import('../export/prometheus-metrics.js'),
    import('../export/els-metrics-so-far.js'),
  ])
  const server = await serveMetrics(port, () => prometheusMetrics(trace, foreign ?? elsMetricsSoFar(trace), subject))
  process.stderr.write(`racelab run: metrics at http://127.0.0.1:${server.port}/metrics while the run runs\n`)
  return server
}

/** What the flags say, checked before anything runs: the run's shape and the files it writes. */
interface Checked {
  chooser: ChooserSpec
  options: RunOptions
  dbDir?: string
  tracePath?: WriteTarget
  traceFormat: TraceFormat
  metricsPath?: WriteTarget
}

/**
 * The progress of a long simulated run on a terminal: nothing for its first second, then one
 * line on stderr, rewritten at most five times a second, cleared when the run is over.
 */
function progressLine(stream: NodeJS.WriteStream, format: (events: number, t: number) => string) {
  const started = Date.now()
  let shownAt = started + 1000 - 200
  let events = 0
  let lastAt = 0
  let shown = false
  return {
    onTrace(event: {t: number}): void {
      lastAt = event.t
      if (++events % 1000 !== 0) return
      const now = Date.now()
      if (now - shownAt < 200) return
      shownAt = now
      shown = true
      stream.write(`\r${format(events, event.t)}\u001B[K`)
    },
    /** The run is over and the judge reads what it left (seconds, at 10,000 batches): say so. */
    judging(): void {
      if (shown) stream.write(`\r${format(events, lastAt)}; judging\u001B[K`)
    },
    done(): void {
      if (shown) stream.write('\r\u001B[K')
    },
  }
}
