import {availableParallelism} from 'node:os'
import {dirname, resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {InputError} from '../sim/input-error.js'
import {SIM_REFERENCE, shapeFlags, type ShapeFlagValues} from '../cli/sim-flags.js'
import {forceFlag, handlerCmdFlag, handlerFlag, handlerTimeoutFlag, kafkaFlag, topicPrefixFlag, traceFormatFlag, userConsumerFlags} from '../cli/shared-flags.js'
import {CHOOSER_REFERENCE, chooserFlags, chooserSpec} from '../cli/chooser-flags.js'
import {RANDOM_CHOOSER} from '../sim/kernel/chooser-spec.js'
import {verifyCells, type VerifyMatrixDescription} from '../cli/verify-cells.js'
import {parseShard, shardCells, shardMatched, type Shard} from '../sim/verify/shard.js'
import type {VerifyOutcome} from '../sim/verify/verify-matrix.js'
import {MAX_SEED, MIN_SEED} from '../sim/kernel/seed.js'
import {ensureWritableDir, ensureWritableFile} from '../cli/writable-path.js'
import {OWN_FILES, writeFileSafely, type WriteTarget} from '../sim/files/safe-write.js'
import {CI_MATRIX, describeMatrix} from '../sim/verify/ci-matrix.js'
import {DEFAULT_SEEDS, MULTI_BATCH, selectMatrix, totalRuns, userBlocks, type MatrixSpec} from '../sim/verify/matrix.js'
import type {VerifyJson} from '../sim/verify/verify-json.js'
import {SCENARIO_NAMES} from '../sim/scenario/builtin-scenarios.js'
import type {Expectation} from '../sim/scenario/scenario.js'
import type {LiveVerifyJson} from '../sim/verify/live-verify.js'
import {digitGroups} from '../sim/digit-groups.js'

const NARROWING = ['scenario', 'strategy', 'seeds', 'seed-start', 'expect', 'essays', 'batches', 'invalid', 'delay', 'fault', 'wake', 'els-instances']

export default class Verify extends BaseCommand {
  static override summary = 'Run scenarios × strategies × seeds; check each cell against its expectation'

  static override description = `Runs every cell of a matrix (one scenario, one strategy, a range of seeds) on every core and prints per cell: runs, failures, the invariants violated, the first failing seed, and whether that is what the scenario declares for the strategy:
  pass            no seed fails
  fail            every seed fails, violating at least the listed invariants
  fail-sometimes  at least one seed fails so
(A harness that cannot reproduce the bug proves nothing: naive must fail.) Every cell with failures gets a minimal counterexample, a shrunk run shown as a swimlane, unexpected failures first. The shaping flags (--delay, --fault, --wake, --essays, --batches, --invalid, --els-instances) apply to every cell; without any, every cell also runs with ${MULTI_BATCH} batches in flight (label "${MULTI_BATCH} batches").

HANDLER (--handler PATH: a team's own ELS, docs/handlers.md)
  The handler replaces each strategy's ELS (a strategy then only brings its routing and relays, so naive and buffer are one cell, shown as buffer). A handler declares no expectations: every cell is expected to pass, and each failing cell gets a shrunk counterexample and the command that reproduces it, --handler included.

CI MATRIX (--ci: the smoke check that gates the fix, a few seconds on 2 cores)
${describeMatrix(CI_MATRIX)
  .map((line) => `  ${line}`)
  .join('\n')}

${SIM_REFERENCE}

EXPECT (what a cell must do)
  Each cell expects what its scenario declares for the strategy, or what the scenario declares for the shape the flags give it: a shaped run can be declared to fail even under buffer (a pending timeout shorter than every wait early content has for its registration expects buffer to fail with ready-exactly-once and no-false-excess). --expect SCENARIO=pass|fail[:INVARIANT,...]|fail-sometimes[:INVARIANT,...] (repeatable, one per scenario) declares it yourself for every strategy of that scenario: fail expects every seed to fail with at least the listed invariants (with anything, when none are listed). The report shows each declared expectation with its reason. Not with --ci.

${CHOOSER_REFERENCE}

LIVE (--kafka local|BROKERS: a small matrix on a real cluster)
  By default content-first, validation-failure × naive, buffer × 1 seed; --scenario, --strategy and --seeds narrow or extend it. Runs one after another (a few seconds each), each judged like an in-memory cell, except that fail-sometimes matches either way live. Nothing is shrunk live: each failing cell names the in-memory verify that shrinks it. Not with --ci, --workers or --no-shrink.
  --els external: racelab runs no ELS; the consumer deployed on the topics (--topic-prefix P, default the real names) is judged from them, black-box. naive and buffer publish alike, so each scenario runs once, expected to pass (docs/black-box.md).

${exitCodesHelp({0: 'every cell matched its expectation', 1: 'a cell did not'})}`

  static override examples = [
    {description: 'Every scenario × every strategy × 200 seeds', command: '<%= config.bin %> verify'},
    {description: 'The CI smoke check, with a JUnit report', command: '<%= config.bin %> verify --ci --junit reports/verify-ci.xml'},
    {description: 'Narrow the matrix', command: '<%= config.bin %> verify --scenario content-first,partial --strategy naive --strategy buffer --seeds 50'},
    {description: 'The small live matrix on the cluster of `racelab kafka up --detach`', command: '<%= config.bin %> verify --kafka local'},
    {description: 'A few seeds against a consumer that runs elsewhere (racelab els, or yours)', command: '<%= config.bin %> verify --kafka local --els external --seeds 3'},
    {description: 'Your own ELS consumer over the CI matrix, every cell expected to pass (docs/handlers.md)', command: '<%= config.bin %> verify --handler examples/handlers/buffer.ts --ci'},
    {description: 'The fix under every fault with 3 ELS instances', command: "<%= config.bin %> verify --strategy buffer --fault relay-crash-after-publish --fault els-restart --fault 'broker-unavailable=1s..2s' --els-instances 3"},
  ]

  static override flags = {
    scenario: Flags.string({multiple: true, delimiter: ',', summary: 'Scenarios to run (repeatable or comma-separated; default: all).'}),
    strategy: Flags.string({multiple: true, delimiter: ',', summary: 'Strategies to run (repeatable or comma-separated; default: all).'}),
    seeds: Flags.integer({min: 1, max: 1_000_000, summary: `Seeds per cell (default ${DEFAULT_SEEDS}).`}),
    'seed-start': Flags.integer({min: MIN_SEED, max: MAX_SEED, summary: 'First seed (default 1): seeds START..START+N-1.'}),
    ...shapeFlags,
    expect: Flags.string({multiple: true, summary: 'SCENARIO=pass|fail[:INVARIANT,...]: what that scenario’s cells must do (see EXPECT).'}),
    ...chooserFlags,
    ci: Flags.boolean({default: false, exclusive: NARROWING, summary: 'Run the fixed CI matrix (see CI MATRIX).'}),
    shard: Flags.string({summary: 'Run part K of N of the matrix (K/N, e.g. 2/4): N CI machines cover it once; racelab merge joins them.'}),
    workers: Flags.integer({min: 1, max: 256, summary: 'Worker threads (default: available cores; 1 runs in process).'}),
    junit: Flags.string({summary: 'Write a JUnit XML report to FILE (one testcase per cell; creates its directory; replaces a report racelab wrote).'}),
    force: forceFlag('With --junit: replace an existing FILE that is not a racelab JUnit report (never a symlink, directory or device).', 'junit'),
    report: Flags.string({summary: 'Write an HTML report per counterexample and an index.html to DIR (creates it).'}),
    trace: Flags.string({summary: 'Write each shrunk counterexample’s trace to DIR/counterexample-N, as --trace-format says (creates DIR).'}),
    'trace-format': traceFormatFlag(),
    shrink: Flags.boolean({default: true, allowNo: true, summary: 'Shrink a counterexample for every cell with failures (--no-shrink skips it).'}),
    kafka: kafkaFlag({summary: 'memory (in-memory Kafka, virtual time), local or BROKERS (host:port,...): run a small live matrix there (see LIVE).'}),
    handler: handlerFlag,
    els: Flags.option({options: ['external'] as const, summary: 'With --kafka: external runs no ELS; a consumer running elsewhere is judged from its topics (see LIVE).'})(),
    'topic-prefix': topicPrefixFlag({summary: 'With --els external: the prefix of the topics the consumer reads (default none).'}),
    'handler-cmd': handlerCmdFlag,
    'handler-timeout': handlerTimeoutFlag,
  }

  async run(): Promise<VerifyJson | LiveVerifyJson> {
    const {flags} = await this.parse(Verify)
    if (flags.els === 'external' && flags.kafka === 'memory') {
      throw new InputError('--els external judges a consumer that runs elsewhere, on a real cluster: it goes with --kafka local or --kafka BROKERS')
    }
    if (flags['topic-prefix'] !== undefined && flags.els !== 'external') throw new InputError('--topic-prefix names the topics a consumer that runs elsewhere reads: it goes with --els external')
    if (flags.kafka !== 'memory') {
      if (flags.handler !== undefined) throw new InputError('--handler runs a handler in the simulator; a live verify (--kafka) uses racelab’s own ELS')
      if (flags['handler-cmd'] !== undefined) throw new InputError('--handler-cmd runs a consumer process in the simulator; a live verify (--kafka) uses racelab’s own ELS')
      return this.runLive(flags)
    }
    if (flags.shard !== undefined && (flags.handler !== undefined || flags['handler-cmd'] !== undefined || (flags.expect ?? []).length > 0)) {
      throw new InputError('--shard: racelab merge rebuilds the matrix from the flags it knows, which do not include --handler, --handler-cmd or --expect yet; run those unsharded')
    }
    const {handler, handlerCmd} = await userConsumerFlags(flags)
    const blocks = flags.ci ? [...CI_MATRIX] : userBlocks(userMatrix(flags))
    const expected = await declared(flags.expect, blocks)
    const matrix: VerifyMatrixDescription = {specs: blocks, chooser: chooserSpec(flags)}
    const shard = flags.shard === undefined ? undefined : shardFlag(flags.shard)
    const built = verifyCells(matrix, expected)
    // A user's handler declares nothing: every cell expects pass, unless --expect says otherwise.
    const whole = handler === undefined && handlerCmd === undefined ? built : (await import('../sim/verify/handler-cells.js')).handlerCells(built, {handler, handlerCmd}, expected)
    const {cells, parts} = shard ? shardCells(whole, shard) : {cells: whole, parts: []}
    const junitPath = flags.junit === undefined ? undefined : writableJunitFile(flags.junit, flags.force)
    if (flags.report !== undefined && !flags.shrink) throw new InputError('--report shows the shrunk counterexamples: --no-shrink leaves none')
    const reportDir = flags.report === undefined ? undefined : ensureWritableDir('--report', flags.report)
    if (flags['trace-format'] !== undefined && flags.trace === undefined) throw new InputError('--trace-format says what --trace DIR holds: it goes with --trace')
    if (flags.trace !== undefined && !flags.shrink) throw new InputError('--trace writes the shrunk counterexamples: --no-shrink leaves none')
    const traceDir = flags.trace === undefined ? undefined : ensureWritableDir('--trace', flags.trace)
    const [{verifyMatrix}, {formatProgress}, {junitXml}, {verifyJson}, {swimlane, swimlaneLines}] = await Promise.all([
      import('../sim/verify/verify-matrix.js'),
      import('../sim/verify/progress.js'),
      import('../sim/verify/junit.js'),
      import('../sim/verify/verify-json.js'),
      import('../ui/swimlane-rows.js'),
    ])
    const progress = this.jsonEnabled() || !process.stderr.isTTY ? undefined : process.stderr
    const ran = await verifyMatrix(cells, {
      workers: flags.workers ?? availableParallelism(),
      shrink: flags.shrink,
      handler,
      handlerCmd: handlerCmd?.command,
      onProgress: progress && ((p) => progress.write(`\r${formatProgress(p)}\u001B[K`)),
    })
    progress?.write('\r\u001B[K')
    const outcome = shard ? shardOutcome(ran) : ran
    if (junitPath) writeFileSafely(junitPath, junitXml(outcome))
    if (reportDir) (await import('../export/verify-reports.js')).writeVerifyReports(reportDir, outcome)
    if (traceDir) (await import('../export/verify-reports.js')).writeCounterexampleTraces(traceDir, flags['trace-format'] ?? 'jsonl', outcome)
    const json = verifyJson(outcome, (counterexample) => swimlaneLines(swimlane(counterexample.run.trace)))
    if (shard) json.shard = {...shard, matrix, parts: parts.map((part, i) => ({...part, tally: ran.results[i].tally}))}
    if (!this.jsonEnabled()) {
      await this.render((await import('../ui/verify-report.js')).VerifyReport, {outcome})
      if (shard) this.log(`shard ${shard.index}/${shard.count}: ${plural(outcome.runs, 'run')} of ${totalRuns(whole)}; racelab merge joins every shard's --json into the matrix's report`)
    }
    if (outcome.verdict === 'fail') this.failAfterReport(json)
    return json
  }

  /** --kafka: the small live matrix, one run after another, progress as each run ends. */
  private async runLive(flags: LiveFlags): Promise<LiveVerifyJson> {
    if (flags.ci) throw new InputError('--ci runs the in-memory CI matrix; with --kafka, choose cells with --scenario, --strategy and --seeds')
    if (flags.chooser !== 'random' || flags.depth !== undefined) throw new InputError('--chooser: a live run (--kafka) has no choices to draw: the broker and the timers order it')
    if (flags.shard !== undefined) throw new InputError('--shard splits the in-memory matrix; a live matrix (--kafka) is small and runs on one machine')
    if (flags.workers !== undefined) throw new InputError('--workers: live cells run one after another (--kafka), never on worker threads')
    if (flags.report !== undefined) throw new InputError('--report shows shrunk counterexamples; nothing is shrunk live (--kafka)')
    if (flags.trace !== undefined) throw new InputError('--trace writes shrunk counterexamples; nothing is shrunk live (--kafka)')
    if (!flags.shrink) throw new InputError('--no-shrink: nothing is shrunk live (--kafka); each failing cell names the in-memory verify that shrinks it')
    const [{LIVE_DEFAULT_SCENARIOS, LIVE_DEFAULT_SEEDS, LIVE_DEFAULT_STRATEGIES, formatLiveRun, liveVerifyJson, liveVerifyNotes, verifyOnKafka}, {junitXml}] = await Promise.all([
      import('../sim/verify/live-verify.js'),
      import('../sim/verify/junit.js'),
    ])
    const spec = userMatrix({...flags, scenario: flags.scenario ?? [...LIVE_DEFAULT_SCENARIOS], strategy: flags.strategy ?? [...LIVE_DEFAULT_STRATEGIES], seeds: flags.seeds ?? LIVE_DEFAULT_SEEDS})
    const expected = await declared(flags.expect, [spec])
    const built = verifyCells({specs: [spec], chooser: RANDOM_CHOOSER}, expected)
    const external = flags.els === 'external'
    const shared = external ? spec.strategies.find((s) => s !== 'naive' && s !== 'buffer') : undefined
    if (shared) throw new InputError(`--strategy ${shared}: publishes to the shared topic, which a deployed ELS does not read; with --els external use naive or buffer (the same producers)`)
    // A consumer that runs elsewhere declares nothing: every cell expects pass (docs/black-box.md).
    const cells = external ? (await import('../sim/verify/external-cells.js')).externalCells(built, expected) : built
    const junitPath = flags.junit === undefined ? undefined : writableJunitFile(flags.junit, flags.force)
    const human = !this.jsonEnabled()
    const outcome = await verifyOnKafka(cells, {
      kafka: flags.kafka,
      ...(external ? {els: 'external' as const, topicPrefix: flags['topic-prefix']} : {}),
      onStarted: ({brokers, clusterId}) => {
        if (human) this.log(`racelab verify --kafka: ${cells.length} cell${cells.length === 1 ? '' : 's'} × ${spec.seeds} seed${spec.seeds === 1 ? '' : 's'} live on cluster ${clusterId} (${brokers.join(',')}), one run after another`)
        if (human && external) this.log('ELS external: racelab runs BOS, the File Service and their relays; the consumer on the topics is judged from them, every cell expected to pass')
      },
      onRun: (run) => human && this.log(formatLiveRun(run)),
    })
    if (junitPath) writeFileSafely(junitPath, junitXml(outcome))
    const json = liveVerifyJson(outcome)
    if (human) {
      this.log('')
      await this.render((await import('../ui/verify-report.js')).VerifyReport, {outcome})
      for (const line of liveVerifyNotes(outcome)) this.log(line)
    }
    if (outcome.verdict === 'fail') this.failAfterReport(json)
    return json
  }
}

type MatrixFlags = ShapeFlagValues & {scenario?: string[]; strategy?: string[]; seeds?: number; 'seed-start'?: number; expect?: string[]}

/** --expect, parsed; a scenario the matrix does not run is an error (a typo would go unnoticed). */
async function declared(texts: string[] | undefined, blocks: readonly MatrixSpec[]): Promise<ReadonlyMap<string, Expectation> | undefined> {
  if (texts === undefined || texts.length === 0) return undefined
  const {declaredExpectations} = await import('../sim/verify/declared-expectation.js')
  const parsed = declaredExpectations(texts, SCENARIO_NAMES)
  if (!parsed.ok) throw new InputError(parsed.error)
  const running = new Set(blocks.flatMap((b) => b.scenarios))
  for (const scenario of parsed.value.keys()) {
    if (!running.has(scenario)) throw new InputError(`--expect ${scenario}=...: this matrix does not run ${scenario} (--scenario ${[...running].join(',')})`)
  }
  return parsed.value
}
type LiveFlags = MatrixFlags & {els?: 'external'; 'topic-prefix'?: string; kafka: string; ci: boolean; chooser: string; depth?: number; shard?: string; workers?: number; junit?: string; force: boolean; shrink: boolean; report?: string; trace?: string}

/** The matrix the narrowing flags describe; an unknown name is an InputError naming its flag. */
function userMatrix(flags: MatrixFlags): MatrixSpec {
  const selected = selectMatrix({
    scenarios: flags.scenario,
    strategies: flags.strategy,
    seeds: flags.seeds,
    seedStart: flags['seed-start'],
    shape: {essays: flags.essays, batches: flags.batches, invalid: flags.invalid, delay: flags.delay, fault: flags.fault, wake: flags.wake, 'els-instances': flags['els-instances']},
  })
  if (!selected.ok) throw new InputError(selected.error)
  return selected.value
}

/** The JUnit file's directory is created if missing (CI writes to a fresh `reports/`). */
function writableJunitFile(file: string, force: boolean): WriteTarget {
  if (file !== '') ensureWritableDir('--junit', dirname(resolve(file)))
  return ensureWritableFile('--junit', file, {force, ours: OWN_FILES.junit})
}

function shardFlag(text: string): Shard {
  const parsed = parseShard(text)
  if (!parsed.ok) throw new InputError(`--shard ${parsed.error}`)
  return parsed.value
}

/**
 * A shard's own view: a fail-sometimes cell that did not fail in this shard's seeds is not a
 * mismatch yet (another shard may hold its failing seed), so it counts as matched here, and says so.
 */
function shardOutcome(outcome: VerifyOutcome): VerifyOutcome {
  const results = outcome.results.map((result) =>
    result.check.matched || !shardMatched(result)
      ? result
      : {...result, evidenceReproduce: undefined, check: {...result.check, matched: true, actual: `${result.check.actual} in this shard (racelab merge judges the cell)`}},
  )
  return {...outcome, results, verdict: results.every((r) => r.check.matched) ? 'pass' : 'fail'}
}

function plural(count: number, noun: string): string {
  return `${digitGroups(count)} ${noun}${count === 1 ? '' : 's'}`
}
