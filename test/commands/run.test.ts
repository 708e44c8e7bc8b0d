import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

describe('racelab run', () => {
  it('naive loses the race in content-first: exit 1, names the violated invariants', async () => {
    // When
    const {stdout, error} = await run(['--scenario', 'content-first', '--strategy', 'naive'])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain('FAIL')
    expect(stdout).toContain('ready-exactly-once')
    expect(stdout).toContain('no-false-excess')
    expect(stdout).toContain('reproduce: racelab run --scenario content-first --strategy naive --seed 1')
  })

  it('buffer wins content-first: exit 0, the batch is ready exactly once', async () => {
    // When
    const {stdout, error} = await run(['--scenario', 'content-first', '--strategy', 'buffer', '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('pass')
    expect(json.batches).toEqual([{batchId: 'b1', expected: 2, assigned: 2, failed: 0, excess: 0, ready: 1}])
  })

  it('--json holds verdict, seed, scenario, strategy, violations, counts and duration, also on failure', async () => {
    // When
    const {stdout, error} = await run(['--scenario', 'validation-failure', '--strategy', 'naive', '--json', '--seed', '7'])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', seed: 7, scenario: 'validation-failure', strategy: 'naive'})
    expect(json.violations.length).toBeGreaterThan(0)
    for (const violation of json.violations) {
      expect(Object.keys(violation)).toEqual(expect.arrayContaining(['invariant', 'batchId', 'detail']))
    }
    expect(Object.keys(json.batches[0])).toEqual(['batchId', 'expected', 'assigned', 'failed', 'excess', 'ready'])
    expect(json.simulatedSeconds).toBeGreaterThan(0)
  })

  it('true-excess under buffer: exit 0 with exactly one ExcessContentProvisioned', async () => {
    const {stdout, error} = await run(['--scenario', 'true-excess', '--strategy', 'buffer', '--json'])
    expect(error).toBeUndefined()
    expect(JSON.parse(stdout).batches[0]).toMatchObject({excess: 1, ready: 1})
  })

  it('validation-failure: buffer passes with assigned + failed = expected', async () => {
    const {stdout, error} = await run(['--scenario', 'validation-failure', '--strategy', 'buffer', '--json'])
    expect(error).toBeUndefined()
    expect(JSON.parse(stdout).batches[0]).toMatchObject({expected: 2, assigned: 1, failed: 1, ready: 1})
  })

  it('the same seed writes a byte-identical --trace; another seed of random does not', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-trace-'))
    const trace = (name: string) => join(dir, name)
    // When
    await run(['--scenario', 'random', '--seed', '11', '--trace', trace('a.jsonl'), '--json'])
    await run(['--scenario', 'random', '--seed', '11', '--trace', trace('b.jsonl'), '--json'])
    await run(['--scenario', 'random', '--seed', '12', '--trace', trace('c.jsonl'), '--json'])
    // Then
    const a = readFileSync(trace('a.jsonl'))
    expect(a.length).toBeGreaterThan(0)
    expect(a.equals(readFileSync(trace('b.jsonl')))).toBe(true)
    expect(a.equals(readFileSync(trace('c.jsonl')))).toBe(false)
    for (const line of a.toString().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
  })

  it('--db keeps the three databases as files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'racelab-db-')), 'nested', 'db')
    const {error} = await run(['--scenario', 'registration-first', '--db', dir, '--json'])
    expect(error).toBeUndefined()
    for (const file of ['bos.sqlite', 'file.sqlite', 'els.sqlite']) expect(readFileSync(join(dir, file)).length).toBeGreaterThan(0)
  })

  it('a run of 10,000 files reports in human mode: the first and last timeline lines, what was left out, the verdict', async () => {
    // When: 50,400 events, which rendered whole through ink ran V8 out of memory
    const {stdout, error} = await run(['--batches', '100', '--essays', '100'])
    // Then
    expect(error).toBeUndefined()
    const lines = stdout.split('\n')
    expect(lines.length).toBeLessThan(400)
    expect(stdout).toMatch(/\.\.\. 50,200 events left out: --timeline full prints every one, --trace FILE writes them as JSON lines/)
    expect(stdout).toContain('PASS every invariant holds')
    expect(stdout).toMatch(/simulated [\d.]+ s, 50400 events, \d+ steps/)
    expect(stdout).toContain('reproduce: racelab run --scenario content-first --strategy buffer --seed 1 --essays 100 --batches 100')
  }, 120_000)

  describe('bad input: one line, exit 2', () => {
    it.each([
      [['--scenario', 'nope'], '--scenario'],
      [['--strategy', 'magic'], '--strategy'],
      [['--essays', '-3'], '--essays'],
      [['--batches', '0'], '--batches'],
      [['--invalid', '-1'], '--invalid'],
      [['--invalid', '3'], '--invalid 3'],
      [['--invalid', '26', '--scenario', 'large-batch'], '--invalid 26'],
      [['--db', '/proc/racelab-cannot-be-here'], '--db'],
      [['--db', 'package.json'], '--db'],
      [['--trace', '/nonexistent-dir/t.jsonl'], '--trace'],
      [['--essays', '10000', '--batches', '10000'], '--essays × --batches'],
      [['--cleanup'], '--cleanup'],
      [['--timeline', 'full', '--json'], '--timeline'],
      [['--timeline', 'short', '--kafka', '127.0.0.1:1'], '--timeline'],
      [['--topic-prefix', 'x-'], '--topic-prefix'],
    ])('%j', async (args, flag) => {
      // When
      const {stderr, error} = await run(args)
      // Then
      expect(error?.oclif?.exit).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(flag)
      expect(stderr).not.toMatch(/\n\s+at /)
    })
  })

  it('--invalid N: N invalid uploads, the flag in the reproduce line', async () => {
    // When
    const {stdout, error} = await run(['--scenario', 'registration-first', '--strategy', 'buffer', '--essays', '5', '--invalid', '2', '--seed', '9', '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.batches).toEqual([{batchId: 'b1', expected: 5, assigned: 3, failed: 2, excess: 0, ready: 1}])
    expect(json.reproduce).toContain('--invalid 2')
  })
})
