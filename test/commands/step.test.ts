import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {swimlane, swimlaneLines} from '../../src/ui/swimlane-rows.js'

const root = resolve(import.meta.dirname, '../..')
const step = (args: string[]) => runCommand(['step', ...args], {root})

// Under the test runner stdout is not a terminal: step prints its static view, never render()s.
describe('racelab step (not a terminal)', () => {
  it('naive in content-first: the whole swimlane, the final state, the verdict and why; exit 1', async () => {
    // Given
    const {trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed: 1})

    // When
    const {stdout, error} = await step(['--scenario', 'content-first', '--strategy', 'naive'])

    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain(`racelab step: scenario content-first, strategy naive, seed 1 (${trace.length} events`)
    for (const line of swimlaneLines(swimlane(trace))) expect(stdout).toContain(line)
    expect(stdout).toContain(`state after event ${trace.length}`)
    expect(stdout).toMatch(/b1\s+2 essays\s+2\/2\s+reg \+ 2 files\s+2 slots\s+0\s+0\s+0\s+2\s+no/)
    expect(stdout).toContain('FAIL 2 invariant violations')
    expect(stdout).toContain('why: b1 never became ready')
    expect(stdout).toContain('after EssayContentProvisioned of b1-f2 reached ELS at 0.213s before BatchEssaysRegistered b1')
    expect(stdout).toContain('reproduce: racelab run --scenario content-first --strategy naive --seed 1')
  })

  it('buffer in content-first: PASS, the batch ready, exit 0', async () => {
    // When
    const {stdout, error} = await step(['--scenario', 'content-first', '--strategy', 'buffer'])

    // Then
    expect(error).toBeUndefined()
    expect(stdout).toContain('PASS every invariant holds')
    expect(stdout).toMatch(/b1\s+2 essays\s+2\/2\s+reg \+ 2 files\s+2 slots\s+2\s+0\s+0\s+0\s+ready/)
    expect(stdout).not.toContain('why:')
  })

  it('--json: the run result, the reproduce line, the explanation and the whole trace; exit 1 on a violation', async () => {
    // Given
    const expected = runSimulation({scenario: BUILTIN_SCENARIOS.get('partial')!, strategy: 'naive', seed: 4, essays: 3})

    // When
    const {stdout, error} = await step(['--scenario', 'partial', '--strategy', 'naive', '--seed', '4', '--essays', '3', '--json'])

    // Then
    expect(error?.oclif?.exit).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', scenario: 'partial', strategy: 'naive', seed: 4})
    expect(json.violations).toEqual(expected.result.violations)
    expect(json.trace).toEqual(expected.trace)
    expect(json.events).toBe(expected.trace.length)
    expect(json.reproduce).toBe('racelab run --scenario partial --strategy naive --seed 4 --essays 3')
    expect(json.explanation).toMatch(/reached ELS/)
  })

  it('--json replays a --schedule exactly, and passes with exit 0 under buffer', async () => {
    // Given
    const {result, trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get('random')!, strategy: 'buffer', seed: 9})

    // When
    const {stdout, error} = await step(['--scenario', 'random', '--strategy', 'buffer', '--seed', '9', '--schedule', result.schedule, '--json'])

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('pass')
    expect(json.trace).toEqual(trace)
    expect(json.explanation).toBeUndefined()
  })

  it('takes the shaping flags of run', async () => {
    // When
    const {stdout, error} = await step([
      '--scenario', 'random', '--strategy', 'buffer', '--seed', '3', '--batches', '2',
      '--delay', 'bos-relay=1s', '--wake', 'bos=off', '--fault', 'els-restart@20%', '--els-instances', '2', '--json',
    ])

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.batches.map((b: {batchId: string}) => b.batchId)).toEqual(['b1', 'b2'])
    expect(json.reproduce).toBe("racelab run --scenario random --strategy buffer --seed 3 --batches 2 --delay 'bos-relay=1s' --fault 'els-restart@20%' --wake bos=off --els-instances 2")
  })

  describe('bad input: one line, exit 2', () => {
    it.each([
      [['--scenario', 'nope'], '--scenario'],
      [['--strategy', 'magic'], '--strategy'],
      [['--essays', '0'], '--essays'],
      [['--delay', 'nowhere=1s'], '--delay'],
      [['--fault', 'gremlins'], '--fault'],
      [['--wake', 'bos=maybe'], '--wake'],
      [['--schedule', '!!!'], '--schedule'],
    ])('%j', async (args, flag) => {
      // When
      const {stderr, error} = await step(args)

      // Then
      expect(error?.oclif?.exit).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(flag)
      expect(stderr).not.toMatch(/\n\s+at /)
    })
  })

  it('a run of more than 200 events: its first and last 100 swimlane rows, one line for the rest, 20 batches; --timeline full shows all', async () => {
    // Given
    const args = ['--scenario', 'content-first', '--strategy', 'naive', '--batches', '22', '--essays', '2']
    const {trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed: 1, batches: 22, essays: 2})
    const [, ...rows] = swimlaneLines(swimlane(trace))
    expect(rows.length).toBeGreaterThan(200)

    // When
    const short = await step(args)
    const full = await step([...args, '--timeline', 'full'])

    // Then: the short view holds the first and last 100 rows and says how many it left out
    expect(short.error?.oclif?.exit).toBe(1)
    const shortLines = short.stdout.split('\n')
    for (const row of [...rows.slice(0, 100), ...rows.slice(-100)]) expect(shortLines).toContain(row)
    expect(shortLines.filter((line) => rows.includes(line))).toHaveLength(200)
    expect(short.stdout).toContain(`... ${(rows.length - 200).toLocaleString('en')} events left out: --timeline full shows every one`)
    expect(short.stdout).toContain('… 2 more batches')
    expect(short.stdout).toMatch(/\+2 more +4 +0 +0 +4 +0 +\(their sums; --json lists every batch\)/)
    // And the full view every row and batch
    expect(full.error?.oclif?.exit).toBe(1)
    const fullLines = full.stdout.split('\n')
    expect(fullLines.filter((line) => rows.includes(line))).toHaveLength(rows.length)
    expect(full.stdout).not.toContain('events left out')
    expect(full.stdout).not.toContain('more batches')
  }, 120_000)

  it('--timeline with --json: one line, exit 2 (it would do nothing)', async () => {
    const {stderr, error} = await step(['--timeline', 'full', '--json'])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--timeline shapes the static view')
  })
})

describe('racelab step --kafka: the flags that do not apply', () => {
  it.each([
    [['--kafka', '127.0.0.1:1', '--schedule', '1hhu,a9g'], '--schedule replays virtual-time choices'],
    [['--kafka', '127.0.0.1:1', '--timeline', 'full'], '--timeline: a live run (--kafka) streams every event'],
    [['--topic-prefix', 'x-'], '--topic-prefix names a live run’s topics: it goes with --kafka BROKERS'],
  ])('%o is bad input (exit 2)', async (args, message) => {
    // When
    const {error, stderr} = await step(args)

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toContain(message)
  })
})
