import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})

/** The rare race (src/sim/search/rare-race.ts): registration-first with a long-tailed BOS relay. */
const RARE = ['--scenario', 'registration-first', '--strategy', 'naive', '--delay', 'bos-relay=0..4s', '--delay', 'file-processing=3985ms..3990ms', '--delay', 'upload-gap=5ms']

/** A reproduce line back into argv (its values are single-quoted when they hold shell characters). */
function argv(command: string): string[] {
  return command
    .replace(/^racelab /, '')
    .split(' ')
    .map((part) => part.replace(/^'(.*)'$/, '$1'))
}

describe('--chooser and --depth', () => {
  it('verify --chooser pct names the chooser in its JSON, JUnit-free report and reproduce command; run reproduces the failing seed', async () => {
    // When
    const verified = await racelab(['verify', ...RARE, '--seeds', '10', '--chooser', 'pct', '--depth', '3', '--workers', '1', '--no-shrink', '--json'])

    // Then: registration-first declares pass; PCT finds the rare naive failure within 10 seeds
    expect(verified.error?.oclif?.exit).toBe(1)
    const json = JSON.parse(verified.stdout)
    expect(json.chooser).toBe('pct(d=3)')
    const [cell] = json.cells
    expect(cell.failures).toBeGreaterThan(0)
    expect(cell.reproduce).toContain('--chooser pct --depth 3')
    expect(cell.shape).toEqual(expect.arrayContaining(['--chooser pct', '--depth 3']))

    // When: the reproduce command, run
    const rerun = await racelab([...argv(cell.reproduce), '--json'])

    // Then: the same seed fails the same way with the same chooser
    expect(rerun.error?.oclif?.exit).toBe(1)
    const run = JSON.parse(rerun.stdout)
    expect(run).toMatchObject({seed: cell.firstFailingSeed, chooser: 'pct(d=3)', verdict: 'fail'})
    expect(run.reproduce).toBe(cell.reproduce)
  })

  it('run: the human report names the chooser; random is the default and adds nothing to the reproduce line', async () => {
    // When
    const pos = await racelab(['run', '--scenario', 'content-first', '--strategy', 'buffer', '--chooser', 'pos', '--seed', '4'])
    const plain = await racelab(['run', '--scenario', 'content-first', '--strategy', 'buffer', '--seed', '4'])

    // Then
    expect(pos.error).toBeUndefined()
    expect(pos.stdout).toContain('racelab run: scenario content-first, strategy buffer, seed 4, chooser pos')
    expect(pos.stdout).toContain('reproduce: racelab run --scenario content-first --strategy buffer --seed 4 --chooser pos')
    expect(plain.stdout).toContain('chooser random')
    expect(plain.stdout).toMatch(/reproduce: racelab run --scenario content-first --strategy buffer --seed 4\n/)
  })

  it.each([
    [['run', '--depth', '2'], '--depth 2: only --chooser pct or portfolio has a depth'],
    [['verify', '--chooser', 'pos', '--depth', '2'], '--depth 2: only --chooser pct or portfolio has a depth'],
    [['run', '--chooser', 'pct', '--kafka', '127.0.0.1:1'], '--chooser: a live run (--kafka) has no choices to draw'],
    [['verify', '--chooser', 'pct', '--kafka', '127.0.0.1:1'], '--chooser: a live run (--kafka) has no choices to draw'],
  ])('%j: one line, exit 2', async (args, message) => {
    const {stderr, error} = await racelab(args)
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(message)
  })
})
