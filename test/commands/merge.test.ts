import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {beforeAll, describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})

/** A small matrix with a fail-sometimes cell (random × naive), cut into 3 shards. */
const MATRIX = ['--scenario', 'content-first,random', '--strategy', 'naive,buffer', '--seeds', '6', '--workers', '1']

describe('racelab verify --shard and racelab merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'racelab-merge-'))
  const shard = (k: number) => join(dir, `shard-${k}.json`)
  let whole: unknown

  beforeAll(async () => {
    for (const k of [1, 2, 3]) {
      const {stdout, error} = await racelab(['verify', ...MATRIX, '--shard', `${k}/3`, '--json'])
      expect(error).toBeUndefined()
      writeFileSync(shard(k), stdout)
    }
    whole = JSON.parse((await racelab(['verify', ...MATRIX, '--json'])).stdout)
  })

  it('merging the 3 shards gives the JSON of one verify of the whole matrix, and its JUnit', async () => {
    // When
    const junit = join(dir, 'reports', 'verify.xml')
    const merged = await racelab(['merge', shard(3), shard(1), shard(2), '--workers', '1', '--junit', junit, '--json'])
    const unsharded = await racelab(['verify', ...MATRIX, '--junit', join(dir, 'whole.xml')])

    // Then
    expect(merged.error).toBeUndefined()
    expect(JSON.parse(merged.stdout)).toEqual(whole)
    expect(unsharded.error).toBeUndefined()
    expect(readFileSync(junit, 'utf8')).toBe(readFileSync(join(dir, 'whole.xml'), 'utf8'))
  })

  it('each shard covers its part of the runs; together every run once', () => {
    // Given
    const shards = [1, 2, 3].map((k) => JSON.parse(readFileSync(shard(k), 'utf8')))

    // Then
    expect(shards.map((s) => s.shard.index)).toEqual([1, 2, 3])
    expect(shards.reduce((sum, s) => sum + s.runs, 0)).toBe((whole as {runs: number}).runs)
  })

  it('a shard does not judge a fail-sometimes cell it did not see fail: merge does', async () => {
    // When
    const {stdout, error} = await racelab(['verify', '--scenario', 'random', '--strategy', 'naive', '--seeds', '6', '--batches', '1', '--workers', '1', '--no-shrink', '--shard', '6/6', '--json'])

    // Then: seed 6 alone holds (random × naive fails sometimes, not there): the shard passes
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.cells[0]).toMatchObject({failures: 0, matched: true})
    expect(json.cells[0].actual).toContain('in this shard (racelab merge judges the cell)')
  })

  it.each([
    ['a missing shard', () => [shard(1), shard(3)], 'shard 2/3 missing: give every shard'],
    ['a shard twice', () => [shard(1), shard(2), shard(2), shard(3)], 'are both shard 2/3: they overlap'],
    ['a file that is no shard', () => [join(dir, 'plain.json')], 'not the --json of racelab verify --shard K/N'],
    ['another matrix', () => [shard(1), shard(2), join(dir, 'other.json')], "another matrix than"],
    ['another N', () => [shard(1), join(dir, 'half.json')], 'shards of one split have the same N'],
    ['a file that is not JSON', () => [join(dir, 'text.json')], 'not JSON'],
  ])('%s: one line, exit 2', async (_name, files, message) => {
    // Given
    writeFileSync(join(dir, 'plain.json'), JSON.stringify(whole))
    writeFileSync(join(dir, 'text.json'), 'not json')
    writeFileSync(join(dir, 'other.json'), (await racelab(['verify', ...MATRIX.slice(0, 4), '--seeds', '5', '--workers', '1', '--shard', '3/3', '--json'])).stdout)
    writeFileSync(join(dir, 'half.json'), (await racelab(['verify', ...MATRIX, '--shard', '2/2', '--json'])).stdout)

    // When
    const {stderr, error} = await racelab(['merge', ...files(), '--workers', '1'])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(message)
  })
})
