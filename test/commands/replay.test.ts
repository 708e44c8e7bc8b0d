import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {FIXTURE_VERSION} from '../../src/sim/fixture/format/fixture-schema.js'
import {SKIPPED_LIVE} from '../../src/sim/fixture/replay/live-replay.js'

const root = resolve(import.meta.dirname, '../..')
const replay = (args: string[]) => runCommand(['replay', ...args], {root})

function fixtureFile(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'racelab-replay-'))
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** content-first in three deliveries; `expect` lines given by the caller. */
const contentFirst = (expectLines: string[]) => [
  'version: 1',
  'description: contents before the registration',
  'scenario: content-first',
  'topology:',
  '  batches:',
  '    - id: b1',
  '      essays: 2',
  '      files: [{id: f1}, {id: f2}]',
  'deliveries:',
  '  - content(b1,f1)',
  '  - content(b1,f2)',
  '  - register(b1)',
  'expect:',
  ...expectLines,
]

describe('racelab replay', () => {
  it('replays fixtures/: exit 0, a MATCH line per fixture and strategy, and a summary', async () => {
    // When
    const {stdout, error} = await replay([join(root, 'fixtures')])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toContain('post-fix-bugs/7-early-validation-failure.yaml')
    expect(stdout).toMatch(/naive\s+MATCH\s+fail \[ready-exactly-once, no-lost-content\]/)
    expect(stdout).toMatch(/buffer\s+MATCH\s+pass/)
    expect(stdout).toMatch(/MATCH: 17 fixtures, \d+ replays: \d+ matched, 0 mismatched, 0 invalid/)
    expect(stdout).not.toContain('MISMATCH')
  })

  it('--json: the verdict per fixture and strategy', async () => {
    // When
    const {stdout, error} = await replay([join(root, 'fixtures/scenarios/content-first.yaml'), '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('match')
    expect(json.counts).toEqual({fixtures: 1, replays: 3, matched: 3, mismatched: 0, invalid: 0})
    const naive = json.fixtures[0].replays.find((r: {strategy: string}) => r.strategy === 'naive')
    expect(naive).toMatchObject({verdict: 'match', expected: ['ready-exactly-once', 'no-false-excess'], actual: ['ready-exactly-once', 'no-false-excess'], seed: 1})
    expect(naive.violations.length).toBeGreaterThan(0)
  })

  it('--strategy replays only that strategy and skips fixtures that state nothing for it', async () => {
    // When
    const {stdout, error} = await replay([join(root, 'fixtures/post-fix-bugs'), '--strategy', 'partition-key'])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/partition-key\s+MATCH\s+fail \[ready-exactly-once, no-lost-content\]/)
    expect(stdout).toMatch(/partition-key\s+skipped: the fixture states no expectation for it/)
    expect(stdout).not.toMatch(/^\s+buffer\s/m)
  })

  it('a replay that does not match: exit 1, expected and actual, the violations', async () => {
    // Given a fixture that wrongly expects naive to survive content-first
    const file = fixtureFile('wrong.yaml', contentFirst(['  naive: pass', '  buffer: pass']))
    // When
    const {stdout, error} = await replay([file])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toMatch(/naive\s+MISMATCH\s+expected pass, got fail \[ready-exactly-once, no-false-excess\]/)
    expect(stdout).toContain('ready-exactly-once b1: never became ready')
    expect(stdout).toMatch(/buffer\s+MATCH/)
    expect(stdout).toContain('MISMATCH: 1 fixture, 2 replays: 1 matched, 1 mismatched, 0 invalid')
  })

  it('a mismatch with --json: exit 1 and the report as JSON', async () => {
    const file = fixtureFile('wrong.yaml', contentFirst(['  buffer: [liveness]']))
    const {stdout, error} = await replay([file, '--json'])
    expect(error?.oclif?.exit).toBe(1)
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'mismatch', counts: {mismatched: 1}})
  })

  it('an invalid fixture: exit 2, one stderr line per problem (file:line: field: what), no stack trace; the others still replay', async () => {
    // Given
    const bad = fixtureFile('bad.yaml', contentFirst(['  naive: [ready-exactly-once, no-dupes]', '  magic: pass']).map((l) => l.replace('content(b1,f2)', 'content(b1,f9)')))
    const good = join(root, 'fixtures/scenarios/registration-first.yaml')
    // When
    const {stdout, stderr, error} = await replay([bad, good])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toEqual([
      `${bad}:11: deliveries[1]: content(b1,f9) names a file the topology does not have (b1 has f1, f2)`,
      `${bad}:14: expect.naive[1]: unknown invariant "no-dupes" (known: ready-exactly-once, ready-when-complete, ready-after-assignments, no-false-excess, no-lost-content, failures-counted-once, no-double-assignment, slots-belong-to-batch, messages-parse, relay-commit-order, metrics-agree, outbox-drained, liveness)`,
      `${bad}:15: expect.magic: unknown strategy "magic" (known: naive, buffer, partition-key, relay-coordination)`,
    ])
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(stdout).toContain('INVALID 3 problems (listed on stderr)')
    expect(stdout).toMatch(/registration-first\.yaml[\s\S]*naive\s+MATCH/)
  })

  it('an order that cannot happen: exit 2, naming the first undeliverable entry and why', async () => {
    // Given the registration first under partition-key, where it is appended after the contents
    const lines = contentFirst(['  partition-key: pass'])
    lines.splice(9, 3, '  - register(b1)', '  - content(b1,f1)', '  - content(b1,f2)')
    const file = fixtureFile('order.yaml', lines)
    // When
    const {stderr, stdout, error} = await replay([file, '--json'])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    const problems = stderr.trim().split('\n')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10: deliveries\\[0\\]: register\\(b1\\) can never be delivered under partition-key: it is queued behind content\\(b1,f[12]\\)`))
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'invalid', counts: {invalid: 1}})
  })

  it('bad paths and flags: exit 2', async () => {
    const missing = await replay(['/nonexistent/x.yaml'])
    expect(missing.error?.oclif?.exit).toBe(2)
    expect(missing.stderr.trim()).toBe('/nonexistent/x.yaml: no such file or directory')
    const empty = await replay([mkdtempSync(join(tmpdir(), 'racelab-empty-'))])
    expect(empty.error?.oclif?.exit).toBe(2)
    expect(empty.stderr).toContain('holds no fixture')
    const strategy = await replay([join(root, 'fixtures'), '--strategy', 'magic'])
    expect(strategy.error?.oclif?.exit).toBe(2)
    expect(strategy.stderr.trim().split('\n')).toHaveLength(1)
    const none = await replay([])
    expect(none.error?.oclif?.exit).toBe(2)
  })

  it.each([['--bogus'], ['-x', 'fixtures'], ['fixtures', '--strategy=naive', '--bogus=1'], ['-'], ['fixtures', '--json=no']])('an unknown flag is a flag error, never a path: %j', async (...args) => {
    // When
    const {stdout, stderr, error} = await replay(args.map((a) => (a === 'fixtures' ? join(root, 'fixtures') : a)))
    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/flag/)
    expect(lines[0]).not.toContain('no such file')
    expect(stdout).toBe('')
  })

  it('control characters in a description and a file name are shown escaped, never sent to the terminal', async () => {
    // Given a fixture whose description and name carry ANSI escapes
    const lines = contentFirst(['  buffer: pass'])
    lines[1] = 'description: "\\e[2J\\e[31mred\\u0007"'
    const file = fixtureFile('esc\u001B[1m.yaml', lines)
    const broken = fixtureFile('bad\u001B[1m.yaml', ['version: 1'])
    // When
    const ok = await replay([file])
    const bad = await replay([broken])
    // Then
    expect(ok.error).toBeUndefined()
    expect(ok.stdout).not.toContain('\u001B')
    expect(ok.stdout).toContain('\\x1b[2J\\x1b[31mred\\x07')
    expect(ok.stdout).toContain('esc\\x1b[1m.yaml')
    expect(bad.error?.oclif?.exit).toBe(2)
    expect(bad.stderr).not.toContain('\u001B')
    expect(bad.stderr).toContain('bad\\x1b[1m.yaml')
  })

  it('--help states the fixture format version and the live skip line the fixture code uses (the text is not imported: zod and kafkajs stay unloaded)', async () => {
    // When
    const {stdout} = await replay(['--help'])
    // Then
    const help = stdout.replace(/\s+/g, ' ')
    expect(help).toContain(`A fixture (format version ${FIXTURE_VERSION}, schema/fixture.schema.json)`)
    expect(help).toContain(`is reported as "${SKIPPED_LIVE}"`)
  })
})
