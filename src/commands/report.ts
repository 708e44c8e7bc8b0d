import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {runFlags, runOptions, scheduleArgs, shapeArgs, SIM_REFERENCE} from '../cli/sim-flags.js'
import {forceFlag} from '../cli/shared-flags.js'
import {ensureWritableFile} from '../cli/writable-path.js'
import {REPORT_HEAD} from '../export/report-head.js'
import {InputError} from '../sim/input-error.js'
import {DEFAULT_TRIALS, trialsFlag} from './inevitability.js'

export interface ReportJson {
  out: string
  /** The run's verdict; absent for a report of a trace file, which carries none. */
  verdict?: 'pass' | 'fail'
  events: number
  reproduce?: string
  /** With --inevitability: from when every rerun failed (virtual µs), if it did. */
  inevitableAt?: number
}

/** The flags that describe a run; none of them goes with --trace. */
const RUN_FLAGS = Object.keys(runFlags())

export default class Report extends BaseCommand {
  static override summary = 'Write a self-contained HTML report of a run: swimlane, outcome, verdicts'

  static override description = `Runs a scenario exactly as \`racelab run\` does (it takes run's flags), or reads a trace that \`run --trace FILE\` wrote, and writes one HTML file that needs nothing else: no script, no network, the CSS and the SVG inline. It holds a swimlane (one lane per service and relay, each message an arrow from the relay that published it to the ELS instance that handled it, faults shaded until they healed, the harmful reordering in red; hover over anything for its details), the outcome of every batch, every invariant's verdict with the explanation of each violation, the parameters the seed drew and the command that reproduces the run. A trace file alone carries no verdict: its report shows the swimlane and the batches as the trace tells them.

${SIM_REFERENCE}

${exitCodesHelp({0: 'the report is written; the run passed (or a trace was given)', 1: 'the report is written; the run violated an invariant'})}`

  static override examples = [
    {description: 'The race, as a page to open in a browser', command: '<%= config.bin %> report --scenario content-first --strategy naive --out report.html'},
    {description: 'A report of a trace written earlier', command: '<%= config.bin %> report --trace run.jsonl --out run.html'},
  ]

  static override flags = {
    ...runFlags(),
    trace: Flags.string({summary: 'Report this trace (the jsonl of run --trace FILE) instead of running; no run flags then.'}),
    out: Flags.string({required: true, summary: 'The HTML file to write (replaces a report racelab wrote).'}),
    force: forceFlag('Replace an existing --out FILE that is not a racelab report (never a symlink, directory or device).', 'out'),
    inevitability: Flags.boolean({summary: 'Add the run’s inevitability curve (see racelab inevitability; reruns every prefix of its schedule).'}),
    trials: trialsFlag,
  }

  async run(): Promise<ReportJson> {
    const {flags} = await this.parse(Report)
    if (flags.trace !== undefined) {
      const given = RUN_FLAGS.find((name) => this.argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`)))
      if (given !== undefined) throw new InputError(`--${given}: a report of --trace FILE shows that trace; run flags go without --trace`)
    }
    if (flags.trials !== undefined && !flags.inevitability) throw new InputError('--trials sets the reruns of --inevitability: it goes with --inevitability')
    if (flags.inevitability && flags.trace !== undefined) throw new InputError('--inevitability reruns the run’s schedule: a trace file carries none (give run flags)')
    const options = runOptions(flags)
    const out = ensureWritableFile('--out', flags.out, {force: flags.force, ours: (head) => head.startsWith(REPORT_HEAD)})
    const [{htmlReport}, {writeFileSafely}] = await Promise.all([import('../export/html-report.js'), import('../sim/files/safe-write.js')])
    if (flags.trace !== undefined) {
      const {readTraceFile} = await import('../export/trace-jsonl.js')
      const trace = readTraceFile('--trace', flags.trace)
      writeFileSafely(out, htmlReport({trace, title: `racelab report of ${flags.trace}`}))
      if (!this.jsonEnabled()) this.log(`wrote ${flags.out}: ${trace.length} events from ${flags.trace} (a trace carries no verdict)`)
      return {out: flags.out, events: trace.length}
    }
    const [{runSimulation}, {reproduceCommand}, {explainViolation}] = await Promise.all([
      import('../sim/simulated/run-simulation.js'),
      import('../sim/simulated/reproduce.js'),
      import('../sim/search/explain.js'),
    ])
    const run = runSimulation(options)
    const {result, trace} = run
    const reproduce = reproduceCommand(result, [...shapeArgs(flags), ...scheduleArgs(flags)])
    const explanations = Object.fromEntries([...new Set(result.violations.map((v) => v.invariant))].map((name) => [name, explainViolation(run, name)]))
    const title = `racelab: ${result.scenario} under ${result.strategy}, seed ${result.seed}`
    const inevitability = flags.inevitability ? (await import('../sim/search/inevitability.js')).inevitabilityCurve(options, {trials: flags.trials ?? DEFAULT_TRIALS}) : undefined
    writeFileSafely(out, htmlReport({trace, title, judged: {result, explanations, reproduce}, inevitability}))
    const json: ReportJson = {out: flags.out, verdict: result.verdict, events: trace.length, reproduce, ...(inevitability?.inevitableAt === undefined ? {} : {inevitableAt: inevitability.inevitableAt})}
    if (!this.jsonEnabled()) {
      const verdict = result.verdict === 'pass' ? 'PASS' : `FAIL ${result.violations.map((v) => v.invariant).filter((v, i, all) => all.indexOf(v) === i).join(', ')}`
      this.log(`wrote ${flags.out}: ${result.scenario} under ${result.strategy}, seed ${result.seed}: ${verdict}; reproduce: ${reproduce}`)
    }
    if (result.verdict === 'fail') this.failAfterReport(json)
    return json
  }
}
