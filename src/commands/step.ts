import {Flags, type Interfaces} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {forceFlag, traceFormatFlag} from '../cli/shared-flags.js'
import {ensureWritableFile} from '../cli/writable-path.js'
import {ownTraceFile} from '../export/trace-formats.js'
import {InputError} from '../sim/input-error.js'
import {runFlags, runOptions, scheduleArgs, shapeArgs, SIM_REFERENCE} from '../cli/sim-flags.js'
import {handlerCmdFlag, handlerFlag, handlerTimeoutFlag, kafkaFlag, topicPrefixFlag, userConsumerFlags} from '../cli/shared-flags.js'
import type {RunOptions, RunResult} from '../sim/simulated/run-simulation.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import type {LiveRunJson} from '../sim/live/run-on-kafka.js'

export type StepJson = RunResult & {reproduce: string; explanation?: string; trace: TraceEvent[]}

export default class Step extends BaseCommand {
  static override summary = 'The lab: step, play and change one simulated run in the terminal'

  static override description = `Runs one scenario in virtual time, exactly as \`racelab run\` does, then opens the lab on it: a swimlane (one column per service, one row per event) with a cursor, the event's details, and panels for what each part holds at the cursor (batches, outbox rows not yet published, partition end offsets against ELS's committed offsets, ELS's slots per batch, the pending buffer with ages, and every invariant, red from the event that broke it). Change the run and it is simulated again in place, the cursor kept at the same virtual time; the footer is the command line that reproduces what you see.

The lab is \`step\` grown, not a second command: it takes the same flags, shows the same run, and without a terminal prints the same static report, so one command is both the walk-through and the report a pipe or CI gets.

KEYS
  space      play/pause in virtual time   + -   speed (1 ms per frame .. real time)
  → l / ← h  next/previous event          n N   next/previous ELS event
  PgDn PgUp  10 events on/back            g G   first/last event
  s          next strategy (re-simulates) S     split view: two strategies, one seed
  d          delays and wakes (a form with the run's values; Enter edits)
  x          toggle faults                r     next seed
  f          first violation              e     export as a fixture or a trace
  tab 1-6    panel (80 columns: panels are tabs; 150 and wider: beside the swimlane)
  v          verdict                      q Esc Ctrl-C  quit

LIVE
  --kafka local|BROKERS runs the scenario live (as \`racelab run --kafka\`) and shows it as it happens: the swimlane and the same panels, fed by the live shell; the invariants are judged when the run ends. space pauses the view for reading (the run goes on; the view never holds the broker) and follows again. Changing the run (s, d, x, r, S, e) is the in-memory lab's only. Without a terminal it streams the timeline and prints the live report.

Without a terminal (output piped, CI) it prints the swimlane, the final state and the verdict instead: a run of more than 200 events shows its first and last 100 rows and at most 20 batches (--timeline full shows every row and batch); --json prints the run result with its trace.

${SIM_REFERENCE}

${exitCodesHelp({0: 'every invariant holds (the run the lab was opened on)', 1: 'an invariant is violated (the run the lab was opened on)'})}`

  static override examples = [
    {description: 'Watch the race happen, one event at a time', command: '<%= config.bin %> step --scenario content-first --strategy naive'},
    {description: 'See the buffer fix drain the early content', command: '<%= config.bin %> step --scenario partial --strategy buffer'},
    {description: 'Step through a shrunk counterexample (its schedule comes from `racelab verify`)', command: '<%= config.bin %> step --scenario random --strategy naive --schedule S'},
  ]

  static override flags = {
    ...runFlags(),
    handler: handlerFlag,
    'handler-cmd': handlerCmdFlag,
    'handler-timeout': handlerTimeoutFlag,
    timeline: Flags.option({
      options: ['short', 'full'] as const,
      summary: 'Without a terminal: short (the default) shows the first and last 100 rows of a run of more than 200 events, and 20 batches; full: all.',
    })(),
    trace: Flags.string({summary: 'Write every event to FILE, as --trace-format says (replaces a trace racelab wrote).'}),
    'trace-format': traceFormatFlag(),
    force: forceFlag('With --trace: replace an existing FILE that is not a racelab trace (never a symlink, directory or device).', 'trace'),
    kafka: kafkaFlag({summary: 'memory (the default: the lab in virtual time), local or BROKERS: watch a live run there as it happens (see LIVE).'}),
    'topic-prefix': topicPrefixFlag({summary: 'With --kafka BROKERS: prefix of every topic and group (default racelab-<seed>-<unique>-).'}),
  }

  async run(): Promise<StepJson | LiveRunJson> {
    const {flags} = await this.parse(Step)
    const options = runOptions(flags)
    const interactive = !this.jsonEnabled() && process.stdout.isTTY && process.stdin.isTTY
    if (flags.kafka !== 'memory') return this.live(flags, options, interactive === true)
    if (flags['topic-prefix'] !== undefined) throw new InputError('--topic-prefix names a live run’s topics: it goes with --kafka BROKERS')
    if (flags.timeline !== undefined && this.jsonEnabled()) throw new InputError('--timeline shapes the static view; --json prints the whole trace')
    if (flags.timeline !== undefined && interactive) throw new InputError('--timeline shapes the static view (no terminal); the interactive view steps through every event')
    const {handler, handlerCmd} = await userConsumerFlags(flags)
    if (flags['trace-format'] !== undefined && flags.trace === undefined) throw new InputError('--trace-format says what --trace FILE holds: it goes with --trace')
    const tracePath = flags.trace === undefined ? undefined : ensureWritableFile('--trace', flags.trace, {force: flags.force, ours: ownTraceFile})
    const [{runSimulation}, {userConsumerArgs, reproduceCommand}, {explainViolation}, {writeTraceAs}] = await Promise.all([
      import('../sim/simulated/run-simulation.js'),
      import('../sim/simulated/reproduce.js'),
      import('../sim/search/explain.js'),
      import('../export/trace-format.js'),
    ])
    const run = runSimulation({...options, handler, handlerCmd})
    const {result, trace} = run
    const reproduce = reproduceCommand(result, [...shapeArgs(flags), ...userConsumerArgs({handler, handlerCmd}), ...scheduleArgs(flags)])
    if (tracePath) writeTraceAs(tracePath, flags['trace-format'] ?? 'jsonl', trace, {scenario: result.scenario, strategy: result.strategy, seed: result.seed, reproduce})
    const explanation = result.violations.length > 0 ? explainViolation(run, result.violations[0].invariant) : undefined
    const json: StepJson = {...result, reproduce, ...(explanation === undefined ? {} : {explanation}), trace}
    if (interactive) {
      // Interactive only on a terminal: without one, Ink's render() waits for input that never comes.
      const {render} = await (await import('../ui/step/terminal-ink.js')).inkForTerminal()
      const [{createElement}, {LabApp}, {labRunOf}] = await Promise.all([import('react'), import('../ui/step/lab-app.js'), import('../sim/lab/lab-run.js')])
      const config = {
        scenario: flags.scenario,
        strategy: flags.strategy,
        seed: flags.seed,
        essays: flags.essays,
        batches: flags.batches,
        invalid: flags.invalid,
        delays: flags.delay ?? [],
        wakes: flags.wake ?? [],
        faults: flags.fault ?? [],
        elsInstances: flags['els-instances'],
        schedule: flags.schedule?.text,
        handler,
        handlerCmd,
      }
      let shown = labRunOf(config, run)
      const app = render(createElement(LabApp, {initial: shown, onQuit: (lab: typeof shown) => (shown = lab)}))
      await app.waitUntilExit()
      this.log(`${result.verdict === 'fail' ? `FAIL ${result.violations.map((v) => `${v.invariant} ${v.batchId}`).join(', ')}` : 'PASS'}; reproduce: ${reproduce}`)
      if (shown.command !== labRunOf(config, run).command) this.log(`the lab was left on: ${shown.command}`)
    } else if (!this.jsonEnabled()) {
      await this.render((await import('../ui/step/step-report.js')).StepReport, {run, explanation, reproduce, full: flags.timeline === 'full'})
    }
    if (result.verdict === 'fail') this.failAfterReport(json)
    return json
  }

  /**
   * Live: the same panels fed by the live shell as the run happens (on a terminal), or the live
   * timeline streamed and the live report (without one), as `racelab run --kafka` prints it.
   */
  private async live(flags: StepFlags, run: RunOptions, interactive: boolean): Promise<LiveRunJson> {
    if (flags.schedule !== undefined) throw new InputError('--schedule replays virtual-time choices; a live run (--kafka) has none to replay')
    if (flags.handler !== undefined) throw new InputError('--handler runs a handler in the simulator; a live run (--kafka) uses racelab’s own ELS')
    if (flags.timeline !== undefined) throw new InputError('--timeline: a live run (--kafka) streams every event as it happens')
    if (flags['trace-format'] !== undefined && flags.trace === undefined) throw new InputError('--trace-format says what --trace FILE holds: it goes with --trace')
    const tracePath = flags.trace === undefined ? undefined : ensureWritableFile('--trace', flags.trace, {force: flags.force, ours: ownTraceFile})
    const [{runOnKafka}, {writeTraceAs}, {formatTraceEvent}, {LiveFeed}, {STRATEGIES}] = await Promise.all([
      import('../sim/live/run-on-kafka.js'),
      import('../export/trace-format.js'),
      import('../ui/timeline-line.js'),
      import('../sim/lab/live-feed.js'),
      import('../sim/scenario/strategy.js'),
    ])
    const {scenario} = run
    const human = !this.jsonEnabled()
    const feed = new LiveFeed()
    const title = `${scenario.name} · ${flags.strategy} · seed ${flags.seed}`
    const options = {...run, kafka: flags.kafka, topicPrefix: flags['topic-prefix'], shapeArgs: shapeArgs(flags)}
    const running = interactive
      ? runOnKafka({...options, onTrace: (event) => feed.push(event)})
      : runOnKafka({
          ...options,
          onStarted: human ? ({clusterId, topicPrefix}) => this.log(`racelab step --kafka: scenario ${scenario.name}, strategy ${flags.strategy}, seed ${flags.seed}, cluster ${clusterId}, topics ${topicPrefix}*\n`) : undefined,
          onTrace: human ? (event) => this.log(formatTraceEvent(event)) : undefined,
        })
    let live: Awaited<typeof running>
    if (interactive) {
      // The view never holds the run: it reads the feed; quitting early waits for the run's end.
      const {render} = await (await import('../ui/step/terminal-ink.js')).inkForTerminal()
      const [{createElement}, {LiveLabApp}] = await Promise.all([import('react'), import('../ui/step/live-lab-app.js')])
      const command = ['racelab step', `--kafka ${flags.kafka}`, `--scenario ${scenario.name}`, `--strategy ${flags.strategy}`, `--seed ${flags.seed}`, ...shapeArgs(flags)].join(' ')
      const app = render(createElement(LiveLabApp, {feed, title, routing: STRATEGIES[flags.strategy].routing, command}))
      running.then((done) => feed.end(done.result), (error: Error) => feed.fail(error.message))
      await app.waitUntilExit()
      live = await running
    } else {
      live = await running
    }
    if (tracePath) writeTraceAs(tracePath, flags['trace-format'] ?? 'jsonl', live.trace, {scenario: scenario.name, strategy: flags.strategy, seed: flags.seed, reproduce: live.json.rerun})
    if (human) await this.render((await import('../ui/live-run-report.js')).LiveRunReport, {result: live.result, rerun: live.json.rerun})
    if (live.result.verdict === 'fail') this.failAfterReport(live.json)
    return live.json
  }
}

type StepFlags = Interfaces.InferredFlags<typeof Step.flags>
