import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {limitsHelp} from '../cli/limits-help.js'
import {FixtureProblemsError} from '../cli/errors.js'
import {handlerCmdFlag, handlerFlag, handlerTimeoutFlag, kafkaFlag, traceFormatFlag, userConsumerFlags} from '../cli/shared-flags.js'
import {ensureWritableDir} from '../cli/writable-path.js'
import {InputError} from '../sim/input-error.js'
import {echo} from '../sim/printable.js'
import {STRATEGY_NAMES, type Strategy} from '../sim/scenario/strategy.js'
import type {SuiteReport} from '../sim/fixture/replay/fixture-suite.js'
import type {LiveSuiteReport} from '../sim/fixture/replay/live-replay.js'
import type {StrategyReplay} from '../sim/fixture/replay/fixture-replay.js'
import type {TraceFormat} from '../export/trace-formats.js'
import type {HandlerCommand} from '../sim/consumer/handler-command.js'

/** What both replays (in memory and live) end with: their problem lines and a verdict. */
type ReplayOutcome = {
  problems: readonly string[]
  fixtures: readonly {problems: readonly string[]}[]
  verdict: string
}

export default class Replay extends BaseCommand {
  static override summary = 'Replay fixtures (exact event orderings) and compare each with its expectation'

  static override description = `Replays each fixture under every strategy it states an expectation for (or only those given with --strategy) and compares the outcome with it: pass, or exactly the invariants listed. A directory stands for every .yaml, .yml and .json file under it.

A fixture (format version 1, schema/fixture.schema.json) gives the topology, delays, wakes and faults, and a seed, an explicit delivery order, or both: the seed drives every timing, the deliveries (register(b1), content(b1,f2), fail(b1,f3), in the order ELS takes them) are enforced.

HANDLER (--handler PATH: a team's own ELS, docs/handlers.md): each fixture is replayed once, the handler in place of ELS under buffer's routing and relays, and is expected to do what the fixture expects of buffer (the fix), or to pass when it says nothing of buffer.
${limitsHelp(['files', 'descriptions', 'durations', 'seeds'])}

LIVE (--kafka local|BROKERS): each fixture runs on a real cluster from its seed (topology, delays, wakes, and the faults live runs can inject), once per strategy, one run after another, and its verdict is compared with the expectation. The broker decides the interleaving, so the delivery order is not enforced: a fixture whose point is its explicit order (deliveries without a seed, or a seed that alone orders them otherwise) is reported as "skipped live: explicit delivery order needs the in-memory bus", and a fixture needing a fault only the simulation can inject is refused with a line naming it. Neither counts as a failure.

${exitCodesHelp({
    0: 'every replay matched',
    1: 'a replay did not match',
    2: 'bad input, or an invalid fixture (one line per problem on stderr: file:line: field: what is wrong), including a delivery order that cannot happen',
  })}`

  static override examples = [
    {description: 'Replay the shipped fixtures', command: '<%= config.bin %> replay fixtures/'},
    {description: 'Only under the naive strategy, as JSON', command: '<%= config.bin %> replay fixtures/ --strategy naive --json'},
    {description: 'Your own ELS consumer through the post-fix-bug fixtures (docs/handlers.md)', command: '<%= config.bin %> replay fixtures/post-fix-bugs/ --handler examples/handlers/buffer.ts'},
    {description: 'Keep each replay as a Mermaid diagram (one file per fixture and strategy)', command: '<%= config.bin %> replay fixtures/scenarios/content-first.yaml --trace traces --trace-format mermaid'},
    {description: 'Replay the scenario fixtures on the cluster of `racelab kafka up --detach`', command: '<%= config.bin %> replay --kafka local fixtures/scenarios/'},
  ]

  static override strict = false

  static override args = {
    fixture: Args.string({required: true, description: 'Fixture files, or directories of them.'}),
  }

  static override flags = {
    strategy: Flags.option({options: STRATEGY_NAMES, multiple: true, summary: 'Replay only under these strategies (repeatable).'})(),
    kafka: kafkaFlag({summary: 'memory (in-memory Kafka, the order enforced), local or BROKERS (host:port,...): replay live there (see LIVE).'}),
    handler: handlerFlag,
    trace: Flags.string({summary: 'Write each replay’s trace to DIR/<fixture>.<strategy>, as --trace-format says (creates DIR).'}),
    'trace-format': traceFormatFlag(),
    'handler-cmd': handlerCmdFlag,
    'handler-timeout': handlerTimeoutFlag,
  }

  async run(): Promise<SuiteReport | LiveSuiteReport> {
    // `--json=no` would otherwise be --json and a fixture path "no".
    const valued = this.argv.find((arg) => /^--(json|help)=/.test(arg))
    if (valued !== undefined) throw new InputError(`${echo(valued.split('=')[0])}: a flag that takes no value (not ${echo(valued)})`)
    const {argv, flags} = await this.parse(Replay)
    // Not strict (any number of fixture paths), so oclif hands unknown flags over as paths.
    const unknown = (argv as string[]).find((arg) => arg.startsWith('-'))
    if (unknown !== undefined) {
      const flag = echo(unknown.split('=')[0])
      throw new InputError(`${flag}: unknown flag (replay takes --strategy, --kafka, --handler, --handler-cmd, --handler-timeout, --trace, --trace-format and --json; a fixture named ${flag} is ./${flag})`)
    }
    if (flags.handler !== undefined && flags.kafka !== 'memory') throw new InputError('--handler runs a handler in the simulator; a live replay (--kafka) uses racelab’s own ELS')
    if (flags['handler-cmd'] !== undefined && flags.kafka !== 'memory') throw new InputError('--handler-cmd runs a consumer process in the simulator; a live replay (--kafka) uses racelab’s own ELS')
    if ((flags.handler !== undefined || flags['handler-cmd'] !== undefined) && flags.strategy !== undefined) {
      const flag = flags.handler === undefined ? '--handler-cmd' : '--handler'
      throw new InputError(`--strategy: with ${flag} each fixture is replayed once, the handler in place of ELS, and expected to do what the fixture expects of buffer`)
    }
    if (flags['trace-format'] !== undefined && flags.trace === undefined) throw new InputError('--trace-format says what --trace DIR holds: it goes with --trace')
    if (flags.trace !== undefined && flags.kafka !== 'memory') throw new InputError('--trace writes the in-memory replays’ traces; a live replay (--kafka) streams its own')
    const traceDir = flags.trace === undefined ? undefined : ensureWritableDir('--trace', flags.trace)
    const {handler, handlerCmd} = await userConsumerFlags(flags)
    if (flags.kafka !== 'memory') return this.replayLive(argv as string[], flags.kafka, flags.strategy as Strategy[] | undefined)
    const {replayPaths} = await import('../sim/fixture/replay/fixture-suite.js')
    const onReplayed = traceDir === undefined ? undefined : await replayTraceWriter(traceDir, flags['trace-format'] ?? 'jsonl', handler, handlerCmd)
    const report = replayPaths(argv as string[], flags.strategy as Strategy[] | undefined, {handler, handlerCmd, onReplayed})
    if (!this.jsonEnabled()) await this.render((await import('../ui/replay-report.js')).ReplayReport, {report})
    return this.finish(report)
  }

  /** Invalid fixtures are exit 2 (after the report), a mismatch exit 1, all matching exit 0. */
  private finish<R extends ReplayOutcome>(report: R): R {
    const problems = [...report.problems, ...report.fixtures.flatMap((f) => f.problems)]
    if (problems.length > 0) {
      if (this.jsonEnabled()) this.logJson(report)
      throw new FixtureProblemsError(problems)
    }
    if (report.verdict === 'mismatch') this.failAfterReport(report)
    return report
  }

  /** --kafka: each fixture's seed replayed live, its lines printed as it is done. */
  private async replayLive(paths: string[], kafka: string, selected: Strategy[] | undefined): Promise<LiveSuiteReport> {
    const {formatLiveFixture, formatLivePlan, formatLiveSummary, replayOnKafka} = await import('../sim/fixture/replay/live-replay.js')
    const human = !this.jsonEnabled()
    const report = await replayOnKafka(paths, {
      kafka,
      selected,
      onPlanned: (plan) => human && this.log(formatLivePlan(plan) + '\n'),
      onFixture: (fixture) => human && this.log(formatLiveFixture(fixture).join('\n') + '\n'),
    })
    if (human) this.log(formatLiveSummary(report) + (report.verdict === 'invalid' ? ': nothing was replayed live' : ''))
    return this.finish(report)
  }
}

/**
 * `replay --trace DIR`: each replay's trace as `<fixture>.<strategy>` (the fixture's file name
 * without its extension; a second fixture of the same name gets `-2`, in the order replayed).
 */
async function replayTraceWriter(
  dir: string,
  format: TraceFormat,
  handler: string | undefined,
  handlerCmd: HandlerCommand | undefined,
): Promise<(file: string, replay: StrategyReplay) => void> {
  const [{writeTraceDirectory}, {basename, extname}, {handlerArg, handlerCmdArgs}] = await Promise.all([
    import('../export/trace-directory.js'),
    import('node:path'),
    import('../sim/simulated/reproduce.js'),
  ])
  const stems = new Map<string, string>()
  const taken = new Set<string>()
  return (file, replay) => {
    let stem = stems.get(file)
    if (stem === undefined) {
      const base = basename(file, extname(file))
      stem = base
      for (let n = 2; taken.has(stem); n++) stem = `${base}-${n}`
      taken.add(stem)
      stems.set(file, stem)
    }
    const path = /^[\w./@+-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`
    const consumer = handler !== undefined ? handlerArg(handler) : handlerCmd !== undefined ? handlerCmdArgs(handlerCmd).join(' ') : `--strategy ${replay.strategy}`
    const reproduce = `racelab replay ${path} ${consumer}`
    writeTraceDirectory('--trace', dir, format, [{name: `${stem}.${replay.strategy}`, trace: replay.trace, subject: {scenario: stem, strategy: replay.strategy, seed: replay.result.seed, reproduce}}])
  }
}
