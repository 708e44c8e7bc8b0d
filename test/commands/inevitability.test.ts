import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const RACE = ['--scenario', 'content-first', '--strategy', 'naive', '--delay', 'bos-relay=1s', '--delay', 'file-relay=0..10s', '--seed', '2']

describe('racelab inevitability and report --inevitability', () => {
  it('prints the curve as JSON, with the moment the failure became inevitable', async () => {
    // When
    const {stdout, error} = await runCommand(['inevitability', ...RACE, '--trials', '10', '--json'], {root})

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('fail')
    expect(json.points.length).toBe(json.choices + 1)
    expect(json.inevitableAt).toBeGreaterThanOrEqual(700_000)
    expect(json.inevitableAt).toBeLessThan(710_000)
    expect(json.reproduce).toContain("--delay 'file-relay=0..10s'")
  })

  it('report --inevitability draws the curve inline in the HTML report', async () => {
    // Given
    const out = join(mkdtempSync(join(tmpdir(), 'racelab-inevitability-')), 'report.html')

    // When
    const {error, stdout} = await runCommand(['report', ...RACE, '--inevitability', '--trials', '5', '--out', out, '--json'], {root})

    // Then
    expect(error?.oclif?.exit).toBe(1)
    const html = readFileSync(out, 'utf8')
    expect(html).toContain('<section id="inevitability">')
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="inevitability"')
    expect(html).toMatch(/Inevitable from 0\.70\ds/)
    expect(JSON.parse(stdout).inevitableAt).toBeGreaterThan(700_000)
  })

  it('--trials goes with --inevitability on report', async () => {
    // When
    const {error, stderr} = await runCommand(['report', '--trials', '5', '--out', join(tmpdir(), 'never.html')], {root})

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr + error?.message).toContain('--inevitability')
  })
})
