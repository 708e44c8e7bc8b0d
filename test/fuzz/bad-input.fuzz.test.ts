import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {shapeOptions} from '../../src/cli/sim-flags.js'
import {loadFixture, readFixture} from '../../src/sim/fixture/format/fixture-load.js'
import {formatProblem} from '../../src/sim/fixture/format/fixture.js'
import {replayFixture} from '../../src/sim/fixture/replay/fixture-replay.js'
import {InputError} from '../../src/sim/input-error.js'
import {MAX_SEED} from '../../src/sim/kernel/seed.js'
import {SECOND} from '../../src/sim/kernel/time.js'
import {maxOf} from '../../src/sim/scenario/delay.js'
import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {DELAY_TARGETS, parseDelaySpec, parseWakeSpec} from '../../src/sim/scenario/delay-spec.js'
import {MAX_DURATION, parseDuration} from '../../src/sim/scenario/duration.js'
import {FAULTS, parseFaultSpec} from '../../src/sim/scenario/fault-spec.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {selectMatrix} from '../../src/sim/verify/matrix.js'
import {count, delaySpec, duration, faultSpec, fixtureText, FLAG_TOKENS, Gen, SEEDS, timelineValue, wakeSpec} from './generators.js'

// Bad input, generated from a fixed seed (test/fuzz/generators.ts): each case must end in an
// InputError (exit 2) with a one-line message, or in a correct result; never another error,
// exit 3, a hang (runs get a small step limit) or a changed file.

const root = resolve(import.meta.dirname, '../..')
const CASES = 300

/** A refusal as racelab prints it: one line, no control characters, no stack, not a novel. */
function expectOneLine(message: string): void {
  // eslint-disable-next-line no-control-regex
  expect(message).not.toMatch(/[\u0000-\u001F\u007F]/)
  expect(message.length).toBeLessThan(600)
  expect(message).not.toMatch(/\bat .*\.(js|ts):\d+/)
}

function expectMicros(value: number): void {
  expect(Number.isSafeInteger(value) && value >= 0 && value <= MAX_DURATION).toBe(true)
}

describe('fuzz: durations, delays, wakes and faults', () => {
  it('parseDuration: a whole number of µs from 0 to 30 days, or one line', () => {
    for (const text of new Gen(1).many(CASES, duration)) {
      const parsed = parseDuration(text)
      if (parsed.ok) expectMicros(parsed.value)
      else expectOneLine(parsed.error)
    }
  })

  it('parseDelaySpec: a known target (an own key) and bounded values, or one line', () => {
    for (const text of new Gen(2).many(CASES, delaySpec)) {
      const parsed = parseDelaySpec(text)
      if (!parsed.ok) {
        expectOneLine(parsed.error)
        continue
      }
      expect(Object.keys(DELAY_TARGETS)).toContain(parsed.value.target)
      const delay = parsed.value.delay
      for (const value of delay.kind === 'fixed' ? [delay.value] : delay.kind === 'range' ? [delay.min, delay.max] : delay.values) expectMicros(value)
    }
  })

  it('parseFaultSpec: a known fault that can finish, or one line', () => {
    for (const text of new Gen(3).many(CASES, faultSpec)) {
      const parsed = parseFaultSpec(text)
      if (!parsed.ok) {
        expectOneLine(parsed.error)
        continue
      }
      const fault = parsed.value
      expect(Object.keys(FAULTS)).toContain(fault.kind)
      if (fault.kind === 'broker-unavailable') [fault.from, fault.to].forEach(expectMicros)
      else if (fault.kind !== 'els-restart') expect(fault.percent).toBeLessThan(100)
    }
  })

  it('parseWakeSpec: bos, file or els, or one line', () => {
    for (const text of new Gen(4).many(CASES, wakeSpec)) {
      const parsed = parseWakeSpec(text)
      if (parsed.ok) expect(['bos', 'file', 'els']).toContain(parsed.value.service)
      else expectOneLine(parsed.error)
    }
  })

  it('a run with what the flags accepted ends (small step limit), or the flags are an InputError', () => {
    const gen = new Gen(5)
    const scenario = BUILTIN_SCENARIOS.get('content-first')!
    for (let i = 0; i < CASES; i++) {
      const flags = {delay: gen.many(gen.int(0, 2), delaySpec), fault: gen.many(gen.int(0, 2), faultSpec), wake: gen.many(gen.int(0, 1), wakeSpec), 'els-instances': 1}
      let shape: ReturnType<typeof shapeOptions>
      try {
        shape = shapeOptions(flags)
      } catch (error) {
        expect(error).toBeInstanceOf(InputError)
        expectOneLine((error as Error).message)
        continue
      }
      // Each accepted case runs (a few thousand steps at most: bounded whatever the delays say).
      const {result} = runSimulation({...shape, scenario, strategy: 'buffer', seed: i, maxSteps: 3000})
      expect(['quiet', 'time-limit', 'step-limit']).toContain(result.stoppedBy)
      expect(['pass', 'fail']).toContain(result.verdict)
    }
  })
})

describe('fuzz: seeds', () => {
  it('verify: a matrix whose every seed is 0..2^32-1, or one line naming the flag', () => {
    const gen = new Gen(6)
    const numbers = [0, 1, 2 ** 31, MAX_SEED - 1, MAX_SEED, MAX_SEED + 1, 2 ** 53, 2 ** 53 + 2, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]
    for (let i = 0; i < CASES; i++) {
      const seedStart = gen.pick(numbers)
      const seeds = gen.pick([1, 2, 200, 1_000_000, 0])
      const selected = selectMatrix({seedStart, seeds, shape: {'els-instances': 1}})
      if (selected.ok) expect(selected.value.seedStart + selected.value.seeds - 1).toBeLessThanOrEqual(MAX_SEED)
      else expect(selected.error).toMatch(/^--seed/)
    }
  })

  it.each(SEEDS)('run --seed %j: exit 0/1 and a reproduce line with that very seed, or exit 2 naming --seed', async (seed) => {
    const {stdout, stderr, error} = await runCommand(['run', '--scenario', 'content-first', '--seed', seed, '--json'], {root})
    const exit = error?.oclif?.exit ?? 0
    if (exit === 2) {
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toContain('--seed')
      return
    }
    expect([0, 1]).toContain(exit)
    expect((JSON.parse(stdout) as {reproduce: string}).reproduce).toMatch(new RegExp(`--seed ${Number(seed)}( |$)`))
  })
})

describe('fuzz: fixtures', () => {
  it('loadFixture never throws: a fixture that replays, or problems of one line each', () => {
    const gen = new Gen(7)
    let replayed = 0
    for (let i = 0; i < CASES; i++) {
      const loaded = loadFixture('fuzz.yaml', fixtureText(gen))
      if (!loaded.ok) {
        expect(loaded.problems.length).toBeGreaterThan(0)
        for (const problem of loaded.problems) expectOneLine(formatProblem(problem))
        continue
      }
      expect(loaded.fixture.description.length).toBeLessThanOrEqual(2000)
      // Replay the quick ones (the run itself has no step limit here): a verdict, or a one-line problem.
      const quick = loaded.fixture.delays.every((d) => maxOf(d.delay) <= 10 * SECOND) && loaded.fixture.faults.every((f) => f.kind !== 'broker-unavailable' || f.to <= 10 * SECOND)
      if (!quick || replayed++ >= 40) continue
      const replay = replayFixture(loaded.fixture, 'buffer')
      expect(typeof replay.match).toBe('boolean')
      if (replay.problem) expectOneLine(formatProblem(replay.problem))
    }
  })

  it('readFixture: devices, FIFOs, directories, symlinks to devices and huge files are refused in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'racelab-fuzz-'))
    const fifo = join(dir, 'fifo.yaml')
    execFileSync('mkfifo', [fifo])
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'))
    writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(10 * 1024 * 1024 + 1, 'a'))
    for (const file of ['/dev/zero', '/dev/urandom', '/dev/null', '/dev/stdin', fifo, join(dir, 'zero.yaml'), join(dir, 'huge.yaml'), dir, join(dir, 'missing.yaml')]) {
      const read = readFixture(file)
      expect(read.ok).toBe(false)
      if (!read.ok) for (const problem of read.problems) expectOneLine(formatProblem(problem))
    }
  })
})

describe('fuzz: flags', () => {
  it.each(FLAG_TOKENS)('replay %j: exit 2, one line naming a flag, never a path', async (token) => {
    const {stderr, error} = await runCommand(['replay', join(root, 'fixtures/scenarios'), token], {root})
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/flag/i)
    expectOneLine(lines[0])
  })

  it('a refused run leaves its --trace file as it was', async () => {
    const gen = new Gen(8)
    const trace = join(mkdtempSync(join(tmpdir(), 'racelab-fuzz-')), 'keep.jsonl')
    writeFileSync(trace, 'keep\n')
    const before = statSync(trace).mtimeMs
    for (let i = 0; i < 20; i++) {
      const {stderr, error} = await runCommand(['run', '--scenario', 'content-first', '--trace', trace, '--fault', `${gen.pick(['consumer-crash-before-commit', 'register-db-error', 'relay-crash-after-publish'])}@100%`, '--delay', delaySpec(gen)], {root})
      expect(error?.oclif?.exit).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(readFileSync(trace, 'utf8')).toBe('keep\n')
    expect(statSync(trace).mtimeMs).toBe(before)
  })
})

describe('fuzz: bench --soak-events and step --timeline', () => {
  it('bench --soak-events without --kafka: always exit 2 and one line (a bad number, or a flag that would do nothing)', async () => {
    const gen = new Gen(9)
    for (let i = 0; i < 30; i++) {
      const value = count(gen)
      const {stderr, error} = await runCommand(['bench', '--only', 'simulated', '--runs', '1', '--large-runs', '0', '--delay-runs', '0', '--soak-events', value], {root})
      expect(error?.oclif?.exit).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain('--soak-events')
      expectOneLine(lines[0])
    }
  })

  it('step --timeline: short or full gives the static view (exit 0/1), with --json or any other value exit 2 and one line', async () => {
    const gen = new Gen(10)
    for (let i = 0; i < 30; i++) {
      const value = timelineValue(gen)
      const json = gen.int(0, 2) === 0
      const {stdout, stderr, error} = await runCommand(['step', '--scenario', 'content-first', '--strategy', 'naive', '--timeline', value, ...(json ? ['--json'] : [])], {root})
      const exit = error?.oclif?.exit ?? 0
      if ((value === 'short' || value === 'full') && !json) {
        expect(exit).toBe(1)
        expect(stdout).toContain('FAIL 2 invariant violations')
        continue
      }
      expect(exit).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain('--timeline')
      expectOneLine(lines[0])
    }
  })
})

describe('fuzz: the built CLI ends fast with exit 2 and one line', () => {
  it.each([
    [['run', '--fault', 'consumer-crash-before-commit@100%']],
    [['run', '--fault', 'register-db-error@100%']],
    [['run', '--fault', 'relay-crash-after-publish@100%']],
    [['run', '--fault', 'broker-unavailable=0..1000h']],
    [['run', '--delay', '__proto__=1s']],
    [['verify', '--seed-start', '9007199254740992']],
    [['replay', '/dev/zero']],
    [['replay', '--bogus']],
  ])('%j', (args) => {
    const child = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {encoding: 'utf8', timeout: 20_000, env: {...process.env, RACELAB_DEBUG: ''}})
    expect(child.status).toBe(2)
    const lines = child.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expectOneLine(lines[0])
  })
})
