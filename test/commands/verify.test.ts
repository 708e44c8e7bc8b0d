import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {LIVE_DEFAULT_SCENARIOS, LIVE_DEFAULT_SEEDS, LIVE_DEFAULT_STRATEGIES} from '../../src/sim/verify/live-verify.js'

const root = resolve(import.meta.dirname, '../..')
const verify = (args: string[]) => runCommand(['verify', ...args], {root})

/** naive cannot lose the race when BOS's relay is instant and every file takes 2 s. */
const NAIVE_CANNOT_LOSE = ['--delay', 'bos-relay=0', '--delay', 'file-processing=2s']

describe('racelab verify', () => {
  it('exits 0 on a narrow matrix that matches, with a table row per cell', async () => {
    // When
    const {stdout, stderr, error} = await verify(['--scenario', 'content-first,registration-first', '--strategy', 'naive', '--strategy', 'buffer', '--seeds', '4', '--workers', '1'])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/content-first\s+naive\s+fail\s+4\s+4\s+ready-exactly-once×4 no-false-excess×4\s+1\s+yes/)
    expect(stdout).toMatch(/content-first\s+buffer\s+pass\s+4\s+0\s+-\s+-\s+yes/)
    expect(stdout).toMatch(/registration-first\s+naive\s+pass\s+4\s+0/)
    expect(stdout).toContain('minimal counterexample for ready-exactly-once')
    // Without shaping flags every cell runs again with 3 batches in flight
    expect(stdout).toContain('3 batches: seeds 1..4 with --batches 3')
    expect(stdout).toContain('PASS every cell matched its expectation (8 cells, 32 runs)')
    expect(stderr).not.toContain('verify:')
  })

  it('--json carries every cell with its expectation, counts, first failing seed, reproduce command and counterexample', async () => {
    // When
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'naive,buffer', '--seeds', '3', '--seed-start', '10', '--workers', '1', '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', runs: 12, matched: 4, unmatched: 0})
    expect(json.cells.slice(2).map((c: {label: string; shape: string[]}) => [c.label, c.shape])).toEqual([
      ['3 batches', ['--batches 3']],
      ['3 batches', ['--batches 3']],
    ])
    const [naive, buffer] = json.cells
    expect(naive).toMatchObject({
      scenario: 'content-first',
      strategy: 'naive',
      seeds: {start: 10, count: 3},
      expectation: {outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess']},
      runs: 3,
      failures: 3,
      invariants: {'ready-exactly-once': 3, 'no-false-excess': 3},
      firstFailingSeed: 10,
      reproduce: 'racelab run --scenario content-first --strategy naive --seed 10',
      matched: true,
      mismatch: null,
    })
    expect(naive.counterexample).toMatchObject({invariant: 'ready-exactly-once', options: {scenario: 'content-first', strategy: 'naive', seed: 10, essays: 1}})
    expect(naive.counterexample.explanation).toContain('before BatchEssaysRegistered')
    expect(naive.counterexample.swimlane.some((line: string) => line.startsWith('!'))).toBe(true)
    expect(naive.counterexample.replay).toContain('racelab run --scenario content-first --strategy naive --seed 10')
    expect(buffer).toMatchObject({strategy: 'buffer', failures: 0, firstFailingSeed: null, reproduce: null, matched: true, counterexample: null})
  })

  it('the first failing seed it prints reproduces the same violation with racelab run', async () => {
    // Given
    const {stdout} = await verify(['--scenario', 'random', '--strategy', 'naive', '--seeds', '30', '--workers', '1', '--no-shrink', '--json'])
    const cell = JSON.parse(stdout).cells[0]
    expect(cell.firstFailingSeed).not.toBeNull()
    // When
    const run = await runCommand(['run', '--scenario', 'random', '--strategy', 'naive', '--seed', String(cell.firstFailingSeed), '--json'], {root})
    // Then
    expect(run.error?.oclif?.exit).toBe(1)
    const violated = new Set(JSON.parse(run.stdout).violations.map((v: {invariant: string}) => v.invariant))
    expect([...violated].sort()).toEqual(Object.keys(cell.invariants).sort())
  })

  it('exits 1 when a cell cannot match its expectation: naive does not fail content-first', async () => {
    // When
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'naive,buffer', '--seeds', '3', '--workers', '1', ...NAIVE_CANNOT_LOSE])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toMatch(/content-first\s+naive\s+fail\s+3\s+0\s+-\s+-\s+NO/)
    expect(stdout).toContain('MISMATCH content-first × naive: expected every seed fails with ready-exactly-once, no-false-excess; actual: 0 of 3 seeds failed with them; seed 1 passed')
    expect(stdout).toContain("reproduce: racelab run --scenario content-first --strategy naive --seed 1 --delay 'bos-relay=0' --delay 'file-processing=2s'")
    expect(stdout).toContain('FAIL 1 of 2 cells did not match their expectation')
  })

  it('exits 1 with the JSON report and a JUnit failure for the cell that did not match', async () => {
    // Given
    const junit = join(mkdtempSync(join(tmpdir(), 'racelab-verify-')), 'verify.xml')
    // When
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'naive,buffer', '--seeds', '3', '--workers', '1', '--json', '--junit', junit, ...NAIVE_CANNOT_LOSE])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', matched: 1, unmatched: 1})
    expect(json.cells[0]).toMatchObject({strategy: 'naive', matched: false, failures: 0, mismatch: {seed: 1}})
    expect(json.cells[0].shape).toEqual(["--delay 'bos-relay=0'", "--delay 'file-processing=2s'"])
    const xml = readFileSync(junit, 'utf8')
    expect(xml.match(/<testcase /g)).toHaveLength(2)
    expect(xml.match(/<failure /g)).toHaveLength(1)
  })

  it('the same report on worker threads as in process, whatever finished first', async () => {
    // Given
    const args = ['--scenario', 'random,partial', '--strategy', 'naive,relay-coordination', '--seeds', '25', '--json']
    // When
    const inProcess = await verify([...args, '--workers', '1'])
    const threaded = await verify([...args, '--workers', '2'])
    // Then
    expect(threaded.error).toBeUndefined()
    expect(threaded.stdout).toBe(inProcess.stdout)
    expect(JSON.parse(threaded.stdout).cells).toHaveLength(8)
  })

  it('--no-shrink prints no counterexample', async () => {
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'naive', '--seeds', '2', '--workers', '1', '--no-shrink'])
    expect(error).toBeUndefined()
    expect(stdout).not.toContain('minimal counterexample')
  })

  // The whole CI matrix in this process: its time is docs/benchmarks.md's business, not a test's
  // (on a loaded machine it can take minutes), so no 30 s cut-off.
  it('--ci exits 0, and its JUnit file has one testcase per cell', {timeout: 600_000}, async () => {
    // Given a report directory that does not exist yet
    const junit = join(mkdtempSync(join(tmpdir(), 'racelab-verify-')), 'reports', 'ci.xml')
    // When
    const {stdout, error} = await verify(['--ci', '--junit', junit, '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('pass')
    const xml = readFileSync(junit, 'utf8')
    expect(xml.match(/<testcase /g)).toHaveLength(json.cells.length)
    expect(xml).toContain('<testcase classname="random" name="buffer (every fault, 3 ELS instances)">')
    expect(xml).not.toContain('<failure')
    const naive = json.cells.filter((c: {strategy: string; failures: number; label: string | null}) => c.strategy === 'naive' && c.failures > 0 && c.label === null)
    expect(naive.map((c: {scenario: string}) => c.scenario)).toEqual(['content-first', 'partial', 'relay-delay', 'validation-failure', 'random', 'batch-upload'])
    const faulted = json.cells.filter((c: {label: string | null}) => c.label === 'every fault, 3 ELS instances')
    expect(faulted).toHaveLength(10)
    expect(faulted.every((c: {strategy: string; failures: number; shape: string[]}) => c.strategy === 'buffer' && c.failures === 0 && c.shape.includes('--els-instances 3'))).toBe(true)
  })

  it('a shaped run declared to fail under buffer matches when it fails, and the JSON says why', async () => {
    // When: the pending timeout (1 s) is shorter than BOS's 2 s lag
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'buffer', '--delay', 'pending-timeout=1s', '--seeds', '3', '--workers', '1', '--no-shrink', '--json'])
    // Then
    expect(error).toBeUndefined()
    const [cell] = JSON.parse(stdout).cells
    expect(cell).toMatchObject({matched: true, failures: 3, expectation: {outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess']}})
    expect(cell.expectation.because).toMatch(/^the pending timeout \(1/)
  })

  it('a declared expectation that matched prints its reason below the table', async () => {
    // When
    const {stdout, error} = await verify(['--scenario', 'content-first', '--strategy', 'buffer', '--delay', 'pending-timeout=1s', '--seeds', '2', '--workers', '1', '--no-shrink'])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/content-first\s+buffer\s+fail\s+2\s+2\s.*yes\n {2}content-first × buffer expects fail \(ready-exactly-once, no-false-excess\), declared: the pending timeout \(1\.000s\) is shorter than/)
  })

  it('--expect sets what a scenario’s cells must do; a mismatch names the declaration', async () => {
    // When: registration-first declared to fail, which it does not
    const {stdout, error} = await verify(['--scenario', 'registration-first', '--strategy', 'buffer', '--seeds', '2', '--workers', '1', '--expect', 'registration-first=fail'])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain('(declared: --expect registration-first=fail)')
  })

  it.each([
    [['--scenario', 'partial', '--expect', 'content-first=pass'], '--expect content-first=...: this matrix does not run content-first'],
    [['--expect', 'content-first=fail:nope'], 'unknown invariant "nope"'],
    [['--ci', '--expect', 'content-first=pass'], '--expect'],
  ])('--expect refuses %j in one line (exit 2)', async (args, message) => {
    const {stderr, error} = await verify(args)
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')[0]).toContain(message)
  })

  it('--help describes the CI matrix', async () => {
    const {stdout} = await verify(['--help'])
    expect(stdout).toContain('CI MATRIX')
    expect(stdout).toContain('--fault broker-unavailable=1s..2s')
  })

  it('--help states the live matrix the live code runs by default (its text is not imported, to keep kafkajs unloaded)', async () => {
    // Given the defaults of src/sim/verify/live-verify.ts
    const defaults = `By default ${LIVE_DEFAULT_SCENARIOS.join(', ')} × ${LIVE_DEFAULT_STRATEGIES.join(', ')} × ${LIVE_DEFAULT_SEEDS} seed;`
    // When
    const {stdout} = await verify(['--help'])
    // Then
    expect(stdout.replace(/\s+/g, ' ')).toContain(defaults)
  })

  describe('bad input: one line, exit 2', () => {
    it.each([
      [['--scenario', 'nope'], '--scenario'],
      [['--strategy', 'naive,magic'], '--strategy'],
      [['--seeds', '0'], '--seeds'],
      [['--seed-start', '-1'], '--seed-start'],
      [['--seed-start', '9007199254740992'], '--seed-start'],
      [['--seed-start', '4294967295', '--seeds', '2'], '--seed-start 4294967295 --seeds 2'],
      [['--workers', '0'], '--workers'],
      [['--ci', '--seeds', '5'], '--ci'],
      [['--fault', 'gremlins'], '--fault'],
      [['--delay', 'bos-relay=fast'], '--delay'],
      [['--junit', '/proc/racelab-cannot-be-here/verify.xml'], '--junit'],
      [['--junit', 'package.json/verify.xml'], '--junit'],
      [['--kafka', '127.0.0.1:1', '--no-shrink'], '--no-shrink'],
      [['--kafka', '127.0.0.1:1', '--workers', '2'], '--workers'],
      [['--kafka', '127.0.0.1:1', '--ci'], '--ci'],
    ])('%j', async (args, flag) => {
      // When
      const {stderr, error} = await verify(args)
      // Then
      expect(error?.oclif?.exit).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(flag)
      expect(stderr).not.toMatch(/\n\s+at /)
    })
  })
})
