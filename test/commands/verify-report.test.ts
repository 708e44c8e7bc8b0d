import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const verify = (args: string[]) => runCommand(['verify', '--workers', '1', ...args], {root})

describe('verify --report DIR', () => {
  it('writes one report, Mermaid diagram and Chrome trace per counterexample and an index linking them, and replaces them on a rerun', async () => {
    // Given
    const dir = join(mkdtempSync(join(tmpdir(), 'racelab-verify-report-')), 'reports')

    // When
    const first = await verify(['--scenario', 'content-first,registration-first', '--strategy', 'naive', '--strategy', 'buffer', '--seeds', '2', '--batches', '1', '--report', dir, '--json'])
    const again = await verify(['--scenario', 'content-first,registration-first', '--strategy', 'naive', '--strategy', 'buffer', '--seeds', '2', '--batches', '1', '--report', dir, '--json'])

    // Then
    expect(first.error).toBeUndefined()
    expect(again.error).toBeUndefined()
    const cells = JSON.parse(again.stdout).cells as {counterexample: unknown}[]
    const withCounterexample = cells.filter((c) => c.counterexample !== null).length
    expect(withCounterexample).toBe(1)
    const index = readFileSync(join(dir, 'index.html'), 'utf8')
    expect(index.match(/<tr class="/g)).toHaveLength(4)
    const links = [...index.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1])
    expect(links).toEqual(['counterexample-1.html', 'counterexample-1.mmd', 'counterexample-1.trace.json'])
    expect(readFileSync(join(dir, 'counterexample-1.mmd'), 'utf8')).toMatch(/^sequenceDiagram\n[^]*->>els: /)
    expect(JSON.parse(readFileSync(join(dir, 'counterexample-1.trace.json'), 'utf8')).traceEvents.length).toBeGreaterThan(5)
    const page = readFileSync(join(dir, links[0]), 'utf8')
    expect(page).toContain('class="swimlane"')
    expect(page).toContain('shrunk')
    expect(page).toMatch(/<code>racelab run --scenario content-first --strategy naive [^<]*<\/code>/)
    expect(existsSync(join(dir, 'counterexample-2.html'))).toBe(false)
  }, 120_000)

  it('is refused with --no-shrink, which leaves nothing shrunk to show', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'racelab-verify-report-'))
    const noShrink = await verify(['--seeds', '1', '--no-shrink', '--report', dir])
    expect(noShrink.error?.oclif?.exit).toBe(2)
    expect(noShrink.stderr).toContain('--report')
  })
})
