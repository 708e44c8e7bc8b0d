import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {forceFlag, traceFormatFlag} from '../cli/shared-flags.js'
import {ensureWritableFile} from '../cli/writable-path.js'
import {ownTraceFile} from '../export/trace-formats.js'
import {InputError} from '../sim/input-error.js'
import {SIM_REFERENCE, scenarioFlag, scheduleFlag, seedFlag, shapeArgs, shapeFlags, shapeOptions, strategyFlag} from '../cli/sim-flags.js'
import {handlerCmdFlag, handlerFlag, handlerTimeoutFlag, userConsumerFlags} from '../cli/shared-flags.js'
import {BUILTIN_SCENARIOS} from '../sim/scenario/builtin-scenarios.js'
import type {RunResult} from '../sim/simulated/run-simulation.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'

export type StepJson = RunResult & {reproduce: string; explanation?: string; trace: TraceEvent[]}

export default class Step extends BaseCommand {
  static override summary = 'Step through one simulated run, event by event, in the terminal'

  static override description = `Runs one scenario in virtual time, exactly as \`racelab run\` does, then opens an interactive view of it: a swimlane (one column per service, one row per event) with a cursor, the details of the event under the cursor, the state of every batch after it (registered at BOS, files committed and published, what ELS assigned, buffered, reported excess or counted failed, ready or not), and at the end the verdict with the reordering that caused the first violation.

KEYS
  → l space  next event          ← h  previous event
  PgDn PgUp  10 events on/back   g G  first/last event
  n N        next/previous ELS event
  v          show/hide the verdict (shown at the last event)
  q Esc      quit

Without a terminal (output piped, CI) it prints the swimlane, the final state and the verdict instead: a run of more than 200 events shows its first and last 100 rows and at most 20 batches (--timeline full shows every row and batch); --json prints the run result with its trace.

${SIM_REFERENCE}

${exitCodesHelp({0: 'every invariant holds (after quitting)', 1: 'an invariant is violated (after quitting)'})}`

  static override examples = [
    {description: 'Watch the race happen, one event at a time', command: '<%= config.bin %> step --scenario content-first --strategy naive'},
    {description: 'See the buffer fix drain the early content', command: '<%= config.bin %> step --scenario partial --strategy buffer'},
    {description: 'Step through a shrunk counterexample (its schedule comes from `racelab verify`)', command: '<%= config.bin %> step --scenario random --strategy naive --schedule S'},
  ]

  static override flags = {
    scenario: scenarioFlag(),
    strategy: strategyFlag(),
    seed: seedFlag(),
    ...shapeFlags,
    schedule: scheduleFlag(),
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
  }

  async run(): Promise<StepJson> {
    const {flags} = await this.parse(Step)
    const shape = shapeOptions(flags)
    const interactive = !this.jsonEnabled() && process.stdout.isTTY && process.stdin.isTTY
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
    const run = runSimulation({
      scenario: BUILTIN_SCENARIOS.get(flags.scenario)!,
      strategy: flags.strategy,
      seed: flags.seed,
      ...shape,
      schedule: flags.schedule?.choices,
      handler,
      handlerCmd,
    })
    const {result, trace} = run
    const reproduce = reproduceCommand(result, [...shapeArgs(flags), ...userConsumerArgs({handler, handlerCmd}), ...(flags.schedule ? [`--schedule ${flags.schedule.text}`] : [])])
    if (tracePath) writeTraceAs(tracePath, flags['trace-format'] ?? 'jsonl', trace, {scenario: result.scenario, strategy: result.strategy, seed: result.seed, reproduce})
    const explanation = result.violations.length > 0 ? explainViolation(run, result.violations[0].invariant) : undefined
    const json: StepJson = {...result, reproduce, ...(explanation === undefined ? {} : {explanation}), trace}
    if (interactive) {
      // Interactive only on a terminal: without one, Ink's render() waits for input that never comes.
      const [{render}, {createElement}, {StepApp}] = await Promise.all([import('ink'), import('react'), import('../ui/step/step-app.js')])
      const app = render(createElement(StepApp, {run}))
      await app.waitUntilExit()
      this.log(`${result.verdict === 'fail' ? `FAIL ${result.violations.map((v) => `${v.invariant} ${v.batchId}`).join(', ')}` : 'PASS'}; reproduce: ${reproduce}`)
    } else if (!this.jsonEnabled()) {
      await this.render((await import('../ui/step/step-report.js')).StepReport, {run, explanation, reproduce, full: flags.timeline === 'full'})
    }
    if (result.verdict === 'fail') this.failAfterReport(json)
    return json
  }
}
