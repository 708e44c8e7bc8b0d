import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {parsePrometheusText, valueOf} from '../export/prometheus-text.js'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

describe('run --metrics', () => {
  it('writes the metrics at the end of the run, in Prometheus text, and replaces its own file', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-metrics-')), 'run.prom')

    // When
    const first = await run(['--scenario', 'content-first', '--strategy', 'buffer', '--metrics', file, '--json'])
    const again = await run(['--scenario', 'content-first', '--strategy', 'buffer', '--metrics', file, '--json'])

    // Then
    expect(first.error).toBeUndefined()
    expect(again.error).toBeUndefined()
    const metrics = parsePrometheusText(readFileSync(file, 'utf8'))
    expect(valueOf(metrics, 'racelab_els_pending_stored_total', 'racelab_els_pending_stored_total')).toBe(JSON.parse(again.stdout).metrics.pendingStored)
  })

  it('refuses a file of the user without --force, and --force with nothing to write', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-metrics-')), 'mine.txt')
    writeFileSync(file, 'mine\n')

    // When
    const mine = await run(['--metrics', file])
    const forced = await run(['--metrics', file, '--force'])
    const nothing = await run(['--force'])

    // Then
    expect(mine.error?.oclif?.exit).toBe(2)
    expect(mine.stderr).toContain('--metrics')
    expect(forced.error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toMatch(/^# racelab metrics:/)
    expect(nothing.error?.oclif?.exit).toBe(2)
    expect(nothing.stderr).toContain('--force')
  })
})
