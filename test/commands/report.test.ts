import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {chromium} from './headless-chromium.js'

const root = resolve(import.meta.dirname, '../..')
const report = (args: string[]) => runCommand(['report', ...args], {root})
describe('racelab report', () => {
  it('writes a page that renders in headless Chromium with its swimlane and no console message; exit 1 for a failing run', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-report-'))
    const out = join(dir, 'report.html')

    // When
    const {stdout, error} = await report(['--scenario', 'content-first', '--strategy', 'naive', '--out', out])
    const dom = await chromium(out, ['--dump-dom'])
    const shot = await chromium(out, ['--window-size=1280,900', `--screenshot=${join(dir, 'shot.png')}`])

    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain('FAIL ready-exactly-once, no-false-excess')
    expect(dom.stdout).toMatch(/<svg [^>]*class="swimlane"/)
    expect(dom.stdout.match(/<g class="lane" data-lane="[^"]+">/g)).toHaveLength(6)
    expect(dom.stdout.match(/<g class="message harmful">/g)).toHaveLength(2)
    expect(dom.console).toEqual([])
    expect(shot.console).toEqual([])
    const png = readFileSync(join(dir, 'shot.png'))
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900])
  }, 180_000)

  it('the check sees a console error: a page with one fails it', async () => {
    // Given: the same check on a page that logs an error (so an empty list above means something)
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-report-')), 'bad.html')
    writeFileSync(file, '<!DOCTYPE html><html><body><script>console.error("broken")</script></body></html>')

    // When
    const {console} = await chromium(file, ['--dump-dom'])

    // Then
    expect(console.join('\n')).toContain('broken')
  }, 120_000)

  it('reports a trace written by run --trace, without a verdict; exit 0', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-report-'))
    await runCommand(['run', '--scenario', 'partial', '--strategy', 'naive', '--trace', join(dir, 't.jsonl')], {root})

    // When
    const {stdout, error} = await report(['--trace', join(dir, 't.jsonl'), '--out', join(dir, 't.html')])

    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/wrote .*t\.html: \d+ events/)
    const html = readFileSync(join(dir, 't.html'), 'utf8')
    expect(html).toContain('not judged')
    expect(html).toContain('class="swimlane"')
  })

  it('refuses run flags with --trace, a trace that is not one, and a file of the user without --force; replaces its own report', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-report-'))
    writeFileSync(join(dir, 'mine.html'), '<p>mine</p>')
    writeFileSync(join(dir, 'bad.jsonl'), '{"t":1,"svc":"bos","ev":"batch-registered"}\nnot json\n')

    // When
    const mixed = await report(['--trace', join(dir, 'bad.jsonl'), '--strategy', 'naive', '--out', join(dir, 'x.html')])
    const bad = await report(['--trace', join(dir, 'bad.jsonl'), '--out', join(dir, 'x.html')])
    const mine = await report(['--out', join(dir, 'mine.html')])
    const first = await report(['--scenario', 'registration-first', '--out', join(dir, 'ok.html')])
    const again = await report(['--scenario', 'registration-first', '--out', join(dir, 'ok.html')])

    // Then
    expect(mixed.error?.oclif?.exit).toBe(2)
    expect(mixed.stderr).toContain('--strategy')
    expect(bad.error?.oclif?.exit).toBe(2)
    expect(bad.stderr).toContain('bad.jsonl:2')
    expect(mine.error?.oclif?.exit).toBe(2)
    expect(readFileSync(join(dir, 'mine.html'), 'utf8')).toBe('<p>mine</p>')
    expect(first.error).toBeUndefined()
    expect(again.error).toBeUndefined()
  })
})
