import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const record = (args: string[]) => runCommand(['record', ...args], {root})
const replay = (args: string[]) => runCommand(['replay', ...args], {root})
const out = (name = 'recorded.yaml') => join(mkdtempSync(join(tmpdir(), 'racelab-record-')), name)

describe('racelab record', () => {
  it('records a failing run as a fixture that replays to the same outcome (exit 0)', async () => {
    // Given
    const file = out()
    // When
    const {stdout, error} = await record(['--scenario', 'content-first', '--strategy', 'naive', '--out', file])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toContain(`recorded scenario content-first, strategy naive, seed 1 to ${file}`)
    expect(stdout).toContain('fail [ready-exactly-once, no-false-excess]')
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('# Recorded by racelab record --scenario content-first --strategy naive --seed 1')
    expect(text).toMatch(/deliveries:\n {2}- content\(b1,f[12]\)\n {2}- content\(b1,f[12]\)\n {2}- register\(b1\)\n/)
    expect(text).toContain('naive: [ready-exactly-once, no-false-excess]')
    const replayed = await replay([file])
    expect(replayed.error).toBeUndefined()
    expect(replayed.stdout).toMatch(/naive\s+MATCH\s+fail \[ready-exactly-once, no-false-excess\]/)
  })

  it('takes the run flags and writes them into the fixture; --json gives the result and deliveries', async () => {
    // Given
    const file = out()
    // When
    const {stdout, error} = await record([
      '--scenario', 'random', '--strategy', 'buffer', '--seed', '9', '--essays', '3', '--batches', '2',
      '--delay', 'bos-relay=1s', '--wake', 'bos=off', '--fault', 'relay-crash-after-publish=file@20%', '--els-instances', '2',
      '--out', file, '--json',
    ])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({file, scenario: 'random', strategy: 'buffer', seed: 9, expect: 'pass', verdict: 'pass'})
    expect(json.deliveries.filter((d: string) => d.startsWith('register(')).length).toBeGreaterThanOrEqual(2)
    const text = readFileSync(file, 'utf8')
    for (const expected of ['scenario: random', 'seed: 9', '- bos-relay=1s', '- bos=off', '- relay-crash-after-publish=file@20%', 'els-instances: 2', '- id: b2', 'buffer: pass']) {
      expect(text).toContain(expected)
    }
    expect((await replay([file])).error).toBeUndefined()
  })

  it('refuses to replace an existing file without --force', async () => {
    // Given
    const file = out()
    writeFileSync(file, 'keep me')
    // When
    const refused = await record(['--out', file])
    const forced = await record(['--out', file, '--force'])
    // Then
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('exists (add --force to replace it)')
    expect(forced.error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toContain('version: 1')
  })

  describe('bad input: one line, exit 2, nothing written', () => {
    it.each([
      [['--delay', 'bos-realy=2s'], '--delay'],
      [['--fault', 'els-crash'], '--fault'],
      [['--scenario', 'nope'], '--scenario'],
      [['--seed', '-1'], '--seed'],
      [['--seed', '4294967296'], '--seed'],
      [['--fault', 'register-db-error@100%'], '--fault'],
      [['--description', 'd'.repeat(2001)], '--description: 2,001 characters'],
    ])('%j', async (args, flag) => {
      // Given
      const file = out()
      // When
      const {stderr, error} = await record([...args, '--out', file])
      // Then
      expect(error?.oclif?.exit).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toContain(flag)
      expect(stderr).not.toMatch(/\n\s+at /)
      expect(existsSync(file)).toBe(false)
    })

    it('without --out', async () => {
      const {error, stderr} = await record(['--scenario', 'content-first'])
      expect(error?.oclif?.exit).toBe(2)
      expect(stderr).toContain('Missing required flag out')
    })

    it('--topic-prefix without --from-kafka (it would name no topics): one line', async () => {
      const file = out()
      const {error, stderr} = await record(['--out', file, '--topic-prefix', 'demo-'])
      expect(error?.oclif?.exit).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toContain('--topic-prefix: only with --from-kafka')
      expect(existsSync(file)).toBe(false)
    })

    it('--out in a missing directory', async () => {
      const {error, stderr} = await record(['--out', '/nonexistent-dir/x.yaml'])
      expect(error?.oclif?.exit).toBe(2)
      expect(stderr).toContain('--out')
    })
  })
})
