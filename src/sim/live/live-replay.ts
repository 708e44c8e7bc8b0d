import {KafkajsBus, KafkaUnreachableError} from '../bus/kafkajs-bus.js'
import type {Violation} from '../check/invariant.js'
import {expectedMatches, formatExpected, formatProblem, type Expected, type Fixture} from '../fixture/fixture.js'
import {expandFixturePaths} from '../fixture/fixture-files.js'
import {readFixture} from '../fixture/fixture-load.js'
import {actualOutcome, strategiesToReplay} from '../fixture/fixture-replay.js'
import {fixturePoint} from '../fixture/fixture-seed-order.js'
import {fixtureShape} from '../fixture/fixture-to-run.js'
import {formatDelay} from '../scenario/delay-spec.js'
import {formatFault} from '../scenario/fault-spec.js'
import type {Strategy} from '../scenario/strategy.js'
import {InputError} from '../input-error.js'
import {resolveBrokers, runOnKafka} from './live-command.js'
import {LIVE_FAULTS, type LiveStop} from './run-live.js'

/** The one line for a fixture whose explicit delivery order is its point. */
export const SKIPPED_LIVE = 'skipped live: explicit delivery order needs the in-memory bus'

/** One strategy of a fixture replayed live. */
export interface LiveReplayVerdict {
  strategy: Strategy
  verdict: 'match' | 'mismatch'
  expected: Expected
  actual: Expected
  violations: Violation[]
  seed: number
  elapsedSeconds: number
  stoppedBy: LiveStop
  topicPrefix: string
  rerun: string
}

export interface LiveFixtureReport {
  file: string
  description?: string
  /**
   * replayed: its seed's part ran live; skipped: its point is an explicit delivery order (not a
   * failure); refused: it needs a fault or delay live runs cannot do; invalid: it does not load.
   */
  status: 'replayed' | 'skipped' | 'refused' | 'invalid'
  /** Why it was skipped or refused (one line). */
  reason?: string
  problems: string[]
  replays: LiveReplayVerdict[]
  /** Strategies selected with --strategy that the fixture states no expectation for. */
  unnamed: Strategy[]
}

export interface LiveSuiteReport {
  verdict: 'match' | 'mismatch' | 'invalid'
  kafka: {brokers: string[]; clusterId: string | null}
  fixtures: LiveFixtureReport[]
  /** Problems with the paths themselves (missing file, empty directory). */
  problems: string[]
  counts: {fixtures: number; replays: number; matched: number; mismatched: number; skipped: number; refused: number; invalid: number}
}

/** What a live replay is about to do, once every fixture is loaded. */
export interface LivePlan {
  brokers: string[]
  clusterId: string | null
  fixtures: number
  /** Fixtures replayed live, and their runs (one per strategy). */
  live: number
  runs: number
  skipped: number
  refused: number
}

export interface LiveReplayOptions {
  /** The --kafka value: `local` or `host:port[,host:port...]`. */
  kafka: string
  selected?: readonly Strategy[]
  /** Once every fixture is loaded and planned, before anything runs (not when one is invalid). */
  onPlanned?: (plan: LivePlan) => void
  /** Each fixture as it is done (skipped and refused ones at once). */
  onFixture?: (fixture: LiveFixtureReport) => void
}

/**
 * `racelab replay --kafka`: replays fixtures on a real cluster, one live run per fixture and
 * strategy, one after another. A live run follows the fixture's seed (its topology, delays,
 * wakes and the faults live runs can inject), never its delivery order: the broker decides the
 * interleaving. So:
 * - a fixture whose point is its explicit order is skipped (not a failure): SKIPPED_LIVE;
 * - a fixture that needs a fault or delay live runs cannot do is refused, with a line naming it
 *   (not a failure either: the in-memory replay covers it);
 * - every other fixture's live verdict is compared with its expectation, exactly as in memory.
 * Every fixture is loaded and checked before anything runs live: an invalid one makes the suite
 * invalid, and nothing runs. An unreachable cluster is an InputError from the first run.
 */
export async function replayOnKafka(paths: readonly string[], options: LiveReplayOptions): Promise<LiveSuiteReport> {
  let kafka: LiveSuiteReport['kafka'] = {brokers: resolveBrokers(options.kafka, 'memory, local or host:port[,host:port...]'), clusterId: null}
  const {files, problems} = expandFixturePaths(paths)
  const planned = files.map((file) => plan(file, options.selected))
  const fixtures: LiveFixtureReport[] = []
  const invalid = problems.length > 0 || planned.some((p) => p.report.status === 'invalid')
  if (!invalid) {
    const live = planned.filter((p) => p.report.status === 'replayed')
    // Reach the cluster before anything is said or run: an unreachable one is one line, exit 2.
    if (live.length > 0) kafka = {brokers: kafka.brokers, clusterId: await probeCluster(kafka.brokers)}
    options.onPlanned?.({
      brokers: kafka.brokers,
      clusterId: kafka.clusterId,
      fixtures: planned.length,
      live: live.length,
      runs: live.reduce((sum, p) => sum + p.strategies.length, 0),
      skipped: planned.filter((p) => p.report.status === 'skipped').length,
      refused: planned.filter((p) => p.report.status === 'refused').length,
    })
  }
  for (const {report, fixture, strategies} of planned) {
    if (!invalid && report.status === 'replayed') {
      for (const strategy of strategies) {
        report.replays.push(
          await replayLive(fixture!, strategy, options.kafka, (started) => {
            kafka = started
          }),
        )
      }
    }
    fixtures.push(report)
    if (!invalid) options.onFixture?.(report)
  }
  const replays = fixtures.flatMap((f) => f.replays)
  const counts = {
    fixtures: fixtures.length,
    replays: replays.length,
    matched: replays.filter((r) => r.verdict === 'match').length,
    mismatched: replays.filter((r) => r.verdict === 'mismatch').length,
    skipped: fixtures.filter((f) => f.status === 'skipped').length,
    refused: fixtures.filter((f) => f.status === 'refused').length,
    invalid: fixtures.filter((f) => f.status === 'invalid').length + problems.length,
  }
  return {
    verdict: counts.invalid > 0 ? 'invalid' : counts.mismatched > 0 ? 'mismatch' : 'match',
    kafka,
    fixtures,
    problems: problems.map(formatProblem),
    counts,
  }
}

interface Planned {
  report: LiveFixtureReport
  fixture?: Fixture
  strategies: Strategy[]
}

/** Loads a fixture and decides, before anything runs, whether it can be replayed live. */
function plan(file: string, selected: readonly Strategy[] | undefined): Planned {
  const loaded = readFixture(file)
  if (!loaded.ok) return {report: {file, status: 'invalid', problems: loaded.problems.map(formatProblem), replays: [], unnamed: []}, strategies: []}
  const fixture = loaded.fixture
  const {replay, skipped} = strategiesToReplay(fixture, selected)
  const report: LiveFixtureReport = {file, description: fixture.description, status: 'replayed', problems: [], replays: [], unnamed: skipped}
  const refusal = liveRefusal(fixture)
  if (refusal !== undefined) return {report: {...report, status: 'refused', reason: refusal}, strategies: []}
  const point = fixturePoint(fixture, replay)
  if (point.point === 'deliveries') return {report: {...report, status: 'skipped', reason: `${SKIPPED_LIVE} (${point.why})`}, strategies: []}
  return {report, fixture, strategies: replay}
}

/** Connects once and says which cluster answered; an InputError naming the brokers when none does. */
async function probeCluster(brokers: readonly string[]): Promise<string> {
  const bus = new KafkajsBus({brokers, clientId: 'racelab-probe'})
  try {
    return (await bus.connect()).clusterId
  } catch (error) {
    if (error instanceof KafkaUnreachableError) throw new InputError(`--kafka: ${error.message}`)
    throw error
  } finally {
    await bus.close()
  }
}

/** Why a fixture cannot run live (a fault or delay only the simulation can do), if it cannot. */
export function liveRefusal(fixture: Fixture): string | undefined {
  const faults = fixture.faults.filter((f) => !LIVE_FAULTS.includes(f.kind))
  if (faults.length > 0) {
    const names = faults.map(formatFault).join(', ')
    return `refused live: fault${faults.length === 1 ? '' : 's'} ${names} need${faults.length === 1 ? 's' : ''} the in-memory bus (live faults: ${LIVE_FAULTS.join(', ')})`
  }
  const kafka = fixture.delays.find((d) => d.target === 'kafka')
  if (kafka !== undefined) return `refused live: delay kafka=${formatDelay(kafka.delay)} needs the in-memory bus (the broker’s latency is real)`
  return undefined
}

async function replayLive(
  fixture: Fixture,
  strategy: Strategy,
  kafka: string,
  onStarted: (started: {brokers: string[]; clusterId: string}) => void,
): Promise<LiveReplayVerdict> {
  const live = await runOnKafka({
    kafka,
    ...fixtureShape(fixture, strategy),
    shapeArgs: [],
    onStarted: ({brokers, clusterId}) => onStarted({brokers, clusterId}),
  })
  const expected = fixture.expect[strategy] ?? 'pass'
  const actual = actualOutcome(live.result.violations)
  return {
    strategy,
    verdict: expectedMatches(expected, actual) ? 'match' : 'mismatch',
    expected,
    actual,
    violations: live.result.violations,
    seed: fixture.seed,
    elapsedSeconds: live.result.elapsedSeconds,
    stoppedBy: live.result.stoppedBy,
    topicPrefix: live.result.kafka.topicPrefix,
    // A fixture's timings are its own scenario, not a built-in one: replaying it is the rerun.
    rerun: `racelab replay --kafka ${kafka === 'local' ? 'local' : live.result.kafka.brokers.join(',')} ${fixture.file} --strategy ${strategy}`,
  }
}

const STRATEGY_COLUMN = 20

/** `racelab replay --kafka HOST:PORT (cluster X): 3 fixtures; 1 replayed live from its seed (2 runs, one after another), 1 skipped, 1 refused`. */
export function formatLivePlan(plan: LivePlan): string {
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const cluster = plan.clusterId === null ? '' : ` (cluster ${plan.clusterId})`
  return (
    `racelab replay --kafka ${plan.brokers.join(',')}${cluster}: ${s(plan.fixtures, 'fixture')}; ` +
    `${plan.live} replayed live from ${plan.live === 1 ? 'its seed' : 'their seeds'} (${s(plan.runs, 'run')}, one after another), ` +
    `${plan.skipped} skipped, ${plan.refused} refused`
  )
}

/** A fixture's lines in the live report: its name, then a verdict per strategy or why it did not run. */
export function formatLiveFixture(fixture: LiveFixtureReport): string[] {
  const lines = [fixture.description ? `${fixture.file}  ${fixture.description}` : fixture.file]
  if (fixture.reason) lines.push(`  ${fixture.reason}`)
  for (const replay of fixture.replays) {
    const outcome =
      replay.verdict === 'match' ? formatExpected(replay.actual) : `expected ${formatExpected(replay.expected)}, got ${formatExpected(replay.actual)}`
    const stopped = replay.stoppedBy === 'quiet' ? '' : `, stopped by ${replay.stoppedBy}`
    lines.push(`  ${replay.strategy.padEnd(STRATEGY_COLUMN)}${(replay.verdict === 'match' ? 'MATCH' : 'MISMATCH').padEnd(10)}${outcome}  (${replay.elapsedSeconds.toFixed(1)} s live${stopped})`)
    if (replay.verdict === 'mismatch') {
      for (const v of replay.violations) lines.push(`      ${v.invariant} ${v.batchId}: ${v.detail}`)
      lines.push(`      rerun: ${replay.rerun}`)
    }
  }
  for (const strategy of fixture.unnamed) lines.push(`  ${strategy.padEnd(STRATEGY_COLUMN)}skipped: the fixture states no expectation for it`)
  return lines
}

/** The summary line: `MATCH: 3 fixtures, 4 live replays: 4 matched, 0 mismatched; 1 skipped, 1 refused, 0 invalid`. */
export function formatLiveSummary(report: LiveSuiteReport): string {
  const c = report.counts
  const label = report.verdict === 'match' ? 'MATCH' : report.verdict === 'mismatch' ? 'MISMATCH' : 'INVALID'
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return `${label}: ${s(c.fixtures, 'fixture')}, ${s(c.replays, 'live replay')}: ${c.matched} matched, ${c.mismatched} mismatched; ${c.skipped} skipped, ${c.refused} refused, ${c.invalid} invalid`
}
