import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})
/** Nothing listens on ports 1 and 2. */
const NOWHERE = '127.0.0.1:1,127.0.0.1:2'
const fixture = (path: string) => join(root, 'fixtures', path)
const tmpFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'racelab-live-input-')), name)

/** Bug 5's fixture with the one fault only the simulation can inject (a broker outage) instead of its crashes. */
function simulationOnlyFixture(file: string): string {
  const text = readFileSync(fixture('post-fix-bugs/5-duplicate-completion.yaml'), 'utf8')
  writeFileSync(file, text.replace('consumer-crash-before-commit@30%', 'broker-unavailable=1s..2s'))
  return file
}

/** Bad input: exit 2 and exactly one line on stderr that contains `message`. */
async function expectOneLine(args: string[], message: string): Promise<void> {
  const {stdout, stderr, error} = await racelab(args)
  expect(error?.oclif?.exit).toBe(2)
  const lines = stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain(message)
  expect(stdout).toBe('')
}

describe('racelab verify --kafka: input checked before anything runs (no cluster needed)', () => {
  it('an unreachable cluster: one line naming the brokers tried, exit 2, within seconds', async () => {
    const started = Date.now()
    await expectOneLine(['verify', '--kafka', NOWHERE], `cannot reach Kafka at ${NOWHERE}`)
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it.each([
    [['--kafka', 'nope'], '--kafka nope'],
    [['--kafka', NOWHERE, '--ci'], '--ci runs the in-memory CI matrix'],
    [['--kafka', NOWHERE, '--workers', '2'], '--workers: live cells run one after another'],
    [['--kafka', NOWHERE, '--fault', 'broker-unavailable=1s..2s'], '--fault broker-unavailable: not available with --kafka'],
    [['--kafka', NOWHERE, '--delay', 'kafka=5ms'], '--delay kafka'],
    [['--kafka', NOWHERE, '--scenario', 'nope'], '--scenario: unknown scenario "nope"'],
  ])('%j: one line, exit 2', async (args, message) => {
    await expectOneLine(['verify', ...args], message)
  })
})

describe('racelab replay --kafka: what cannot run live is said per fixture, before any connection', () => {
  it('a fixture whose point is its delivery order: "skipped live", not a failure (exit 0, no cluster touched)', async () => {
    // When
    const {stdout, error} = await racelab(['replay', '--kafka', NOWHERE, fixture('post-fix-bugs/7-early-validation-failure.yaml')])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toContain('skipped live: explicit delivery order needs the in-memory bus (the fixture gives deliveries and no seed)')
    expect(stdout).toContain('MATCH: 1 fixture, 0 live replays: 0 matched, 0 mismatched; 1 skipped, 0 refused, 0 invalid')
  })

  it('a fixture that needs a fault only the simulation injects: refused with the fault named; --json says so too', async () => {
    // Given: bug 5's fixture with a broker outage instead of its crashes (those run live too)
    const file = simulationOnlyFixture(tmpFile('broker-unavailable.yaml'))
    // When
    const {stdout, error} = await racelab(['replay', '--kafka', NOWHERE, file, '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'match', counts: {fixtures: 1, replays: 0, skipped: 0, refused: 1, invalid: 0}})
    expect(json.fixtures[0]).toMatchObject({
      status: 'refused',
      reason:
        'refused live: fault broker-unavailable=1s..2s needs the in-memory bus (live faults: relay-crash-after-publish, register-db-error, consumer-crash-before-commit, els-restart, crash, publish-error)',
    })
  })

  it('a fixture that can run live and an unreachable cluster: one line, exit 2', async () => {
    await expectOneLine(['replay', '--kafka', NOWHERE, fixture('scenarios/content-first.yaml')], `cannot reach Kafka at ${NOWHERE}`)
  })

  it('--kafka nope: one line, exit 2', async () => {
    await expectOneLine(['replay', '--kafka', 'nope', fixture('scenarios/content-first.yaml')], '--kafka nope')
  })

  it('an invalid fixture: its problem lines on stderr, exit 2, nothing run live', async () => {
    // Given
    const file = tmpFile('bad.yaml')
    writeFileSync(file, 'version: 1\ndescription: x\ntopology: {batches: [{id: b1, essays: 1, files: [{id: f1}]}]}\nseed: 1\nexpect: {naive: maybe}\n')
    // When
    const {stdout, stderr, error} = await racelab(['replay', '--kafka', NOWHERE, file])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${file}:5: expect.naive: `))])
    expect(stdout).toContain('INVALID: 1 fixture, 0 live replays')
    expect(stdout).toContain('nothing was replayed live')
  })
})

describe('racelab record --from-kafka: bad input is one line, exit 2 (no cluster needed)', () => {
  it('an unreachable cluster: one line naming the brokers tried, exit 2', async () => {
    await expectOneLine(['record', '--from-kafka', NOWHERE, '--topic-prefix', 'p-', '--out', tmpFile('x.yaml')], `--from-kafka: cannot reach Kafka at ${NOWHERE}`)
  })

  it.each([
    [['--from-kafka', 'nope', '--topic-prefix', 'p-'], '--from-kafka nope: "nope" is not host:port'],
    [['--from-kafka', NOWHERE], '--from-kafka needs --topic-prefix PREFIX'],
    [['--topic-prefix', 'p-'], '--topic-prefix: only with --from-kafka'],
    [['--from-kafka', NOWHERE, '--topic-prefix', 'bad/prefix'], '--topic-prefix: topic prefix "bad/prefix" may only hold'],
    [['--from-kafka', NOWHERE, '--topic-prefix', 'p-', '--scenario', 'partial'], '--scenario=partial cannot also be provided when using --from-kafka'],
  ])('%j: one line, exit 2', async (args, message) => {
    await expectOneLine(['record', ...args, '--out', tmpFile('x.yaml')], message)
  })

  it('an existing --out without --force: one line, exit 2', async () => {
    const out = tmpFile('exists.yaml')
    writeFileSync(out, 'x')
    await expectOneLine(['record', '--from-kafka', NOWHERE, '--topic-prefix', 'p-', '--out', out], 'exists (add --force to replace it)')
  })
})
