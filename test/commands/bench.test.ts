import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
// Each test runs the phases it is about (--only), the rest of a bench is minutes of work.
const bench = (args: string[]) => runCommand(['bench', ...args], {root})
/** Cheap and quick to refuse: a guard, in case a refusal came after the work. */
const tiny = ['--only', 'simulated', '--runs', '1', '--large-runs', '0', '--delay-runs', '0']

describe('racelab bench (simulated section)', () => {
  it('--json: runs/s and ms per run for content-first and large-batch', async () => {
    // When
    const {stdout, error} = await bench(['--only', 'simulated,parallel,floor', '--runs', '5', '--large-runs', '2', '--delay-runs', '2', '--parallel-runs', '20', '--floor-runs', '3', '--json'])

    // Then: shapes and counts only; speed is measured, never asserted
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(Object.keys(json)).toEqual(['simulated', 'parallel', 'floor'])
    expect(json.simulated.map((s: {scenario: string; essays: number; runs: number}) => [s.scenario, s.essays, s.runs])).toEqual([
      ['content-first', 2, 5],
      ['large-batch', 25, 2],
      ['relay-delay', 2, 2],
    ])
    for (const section of json.simulated) {
      expect(section.runsPerSecond).toBeGreaterThan(0)
      expect(Object.keys(section.msPerRun)).toEqual(['mean', 'p50', 'p90', 'p99', 'max'])
      expect(section.simulatedPerWallSecond).toBeGreaterThan(0)
      // 5 runs in the default 5 passes, 2 runs in 2: never more passes than seeds
      expect(section.passes).toBe(Math.min(5, section.runs))
      expect(section.bestPassRunsPerSecond).toBeGreaterThan(0)
      expect(section.runsPerCpuSecond).toBeGreaterThan(0)
      expect(section.bestPassSimulatedPerWallSecond).toBeGreaterThan(0)
    }
    expect(json.parallel).toMatchObject({scenario: 'content-first', runs: 20})
    expect(json.parallel.workers).toBeGreaterThanOrEqual(1)
    expect(json.parallel.speedup).toBeCloseTo(json.parallel.everyCoreRunsPerSecond / json.parallel.oneCoreRunsPerSecond, 1)
    expect(json.floor).toMatchObject({scenario: 'content-first', runs: 3})
    expect(json.floor.statementsPerRun).toBeGreaterThan(0)
    expect(json.floor.passes).toBe(3)
    expect(json.floor.bestPass.share).toBeCloseTo(json.floor.bestPass.racelabRunsPerSecond / json.floor.bestPass.floorRunsPerSecond, 1)
  })

  it('--json: the handler phase times the built-in buffer and a handler in its place on the same seeds', async () => {
    // When
    const {stdout, error} = await bench(['--only', 'handler', '--handler-runs', '4', '--json'])

    // Then: shapes and counts only; the ratio is measured, never asserted
    expect(error).toBeUndefined()
    const {handler} = JSON.parse(stdout)
    expect(handler).toMatchObject({scenario: 'content-first', runs: 4, goal: 1.5, handler: expect.stringMatching(/examples\/handlers\/buffer\.ts$/)})
    expect(Object.keys(handler.builtinMsPerRun)).toEqual(['mean', 'p50', 'p90', 'p99', 'max'])
    expect(handler.ratio.mean).toBeGreaterThan(0)
    expect(handler.met).toBe(handler.ratio.mean <= 1.5)
  })

  it('--json: the consumer process phase gives runs/s and the protocol round trip', async () => {
    // When
    const {stdout, error} = await bench(['--only', 'handler-cmd', '--handler-cmd-runs', '2', '--json'])
    // Then: shapes and counts only; the figures are measured, never asserted
    expect(error).toBeUndefined()
    const {handlerCmd} = JSON.parse(stdout)
    expect(handlerCmd).toMatchObject({scenario: 'content-first', runs: 2, command: expect.stringMatching(/^\/usr\/bin\/python3 .*examples\/python\/els_buffer\.py$/), roundTrip: {requests: 2000}})
    expect(Object.keys(handlerCmd.msPerRun)).toEqual(['mean', 'p50', 'p90', 'p99', 'max'])
    expect(handlerCmd.runsPerSecond).toBeGreaterThan(0)
    expect(handlerCmd.roundTrip.usPerRequest.p50).toBeGreaterThan(0)
  }, 120_000)

  it('--handler-cmd without the consumer process phase: one line, exit 2', async () => {
    const {stderr, error} = await bench(['--only', 'handler-cmd', '--handler-cmd-runs', '0', '--handler-cmd', 'x'])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toContain('--handler-cmd is the process phase’s command')
  })

  it('--handler without the handler phase: one line, exit 2', async () => {
    const {stderr, error} = await bench(['--only', 'handler', '--handler-runs', '0', '--handler', 'x.ts'])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toContain('--handler is the handler phase’s module')
  })

  it('prints a table without --json', async () => {
    const {stdout, error} = await bench(['--only', 'simulated,floor,handler', '--runs', '3', '--large-runs', '0', '--delay-runs', '0', '--floor-runs', '2', '--handler-runs', '2'])
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/content-first\s+2 essays\s+3 runs\s+[\d.]+ runs\/s/)
    expect(stdout).toMatch(/the fastest of 3 passes: [\d.]+ runs\/s, [\d,]+ simulated s per wall s; [\d.]+ runs per CPU second/)
    expect(stdout).toMatch(/handler \/ built-in: [\d.]+× \(mean\)/)
    expect(stdout).toMatch(/SQLite floor \(content-first, 2 seeds, \d+ statements a run\): racelab [\d,.]+ runs\/s/)
    expect(stdout).toMatch(/the fastest of 2 passes: racelab [\d,]+ runs\/s,\s+the statements alone [\d,]+: \d+%/)
  })

  it('--searches: runs to first failure per chooser on the rare race, a median each', async () => {
    // When: one search per chooser, at most 3 runs each
    const {stdout, error} = await bench(['--only', 'first-failure', '--searches', '1', '--search-runs', '3', '--json'])

    // Then: counts and shape; each figure is a number of runs or null (none within 3)
    expect(error).toBeUndefined()
    const {firstFailure} = JSON.parse(stdout)
    expect(firstFailure).toMatchObject({scenario: 'registration-first', strategy: 'naive', searches: 1, maxRuns: 3})
    expect(firstFailure.choosers.map((c: {chooser: string}) => c.chooser)).toEqual(['random', 'pct(d=3)', 'pos', 'portfolio(d=3)'])
    for (const c of firstFailure.choosers) {
      expect(c.runs).toHaveLength(1)
      expect(c.median === null || (c.median >= 1 && c.median <= 3)).toBe(true)
    }
  })

  it('--explore-essays: explores the scope exhaustively and estimates plain enumeration', async () => {
    // When: 1 essay (one excess file, a relay crash)
    const {stdout, error} = await bench(['--only', 'explore', '--explore-essays', '1', '--json'])

    // Then
    expect(error).toBeUndefined()
    const {explore} = JSON.parse(stdout)
    expect(explore).toMatchObject({scenario: 'true-excess', strategy: 'buffer', essays: 1, exhaustive: true})
    expect(explore.interleavings).toBeGreaterThan(0)
    expect(explore.runs).toBeGreaterThanOrEqual(explore.interleavings)
    expect(explore.plainEstimate).toBeGreaterThan(explore.runs)
  })

  it('--big-run: one run alone in a child process, with its size, verdict, wall time and peak memory', async () => {
    // When: 3 batches of 25 essays
    const {stdout, error} = await bench(['--only', 'big-run', '--big-run', '3', '--json'])

    // Then: the figures are the run's, from its own process
    expect(error).toBeUndefined()
    const {bigRun} = JSON.parse(stdout)
    expect(bigRun).toMatchObject({scenario: 'content-first', strategy: 'buffer', batches: 3, essays: 25, files: 75, verdict: 'pass'})
    expect(bigRun.events).toBeGreaterThan(75 * 2)
    expect(bigRun.seconds).toBeGreaterThan(0)
    expect(bigRun.peakMiB).toBeGreaterThan(10)
  })

  it.each([
    [['--events', '1000'], '--events'],
    [['--batches', '5'], '--batches'],
    [['--soak-events', '1000'], '--soak-events'],
    [['--topic-prefix', 'b-'], '--topic-prefix'],
  ])('%j without --kafka (live-only, it would do nothing): one line, exit 2', async (args, flag) => {
    const {stderr, error} = await bench([...tiny, ...args])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(`${flag} shapes the live section: it goes with --kafka`)
  })

  it('--kafka with a bad broker list: one line, exit 2', async () => {
    const {stderr, error} = await bench([...tiny, '--kafka', 'nope'])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--kafka nope')
  })

  it('--only: runs those phases alone; the JSON holds them and no other', async () => {
    // When
    const {stdout, error} = await bench(['--only', 'floor', '--floor-runs', '2', '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({simulated: [], floor: {scenario: 'content-first', runs: 2}})
    expect(Object.keys(json)).toEqual(['simulated', 'floor'])
  })

  it.each([
    [['--only', 'floor,nope'], '--only nope: not a bench phase (phases: simulated, parallel, floor, handler, handler-cmd, first-failure, explore, big-run, live, soak)'],
    [['--only', 'soak'], '--only soak: that section runs on a cluster: it goes with --kafka local|BROKERS'],
    [[...tiny, '--handler', 'x.ts'], '--handler is the handler phase’s module: --only leaves that phase out'],
    [[...tiny, '--handler-cmd', 'x'], '--handler-cmd is the process phase’s command: --only leaves that phase out'],
  ])('%j: one line naming the flag, exit 2', async (args, message) => {
    const {stderr, error} = await bench(args)
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(message)
  })
})
