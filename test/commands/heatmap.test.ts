import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {shapeOptions} from '../../src/cli/sim-flags.js'
import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import type {HeatmapCell} from '../../src/sim/heatmap/heatmap-grid.js'
import {xmlProblems} from './headless-chromium.js'

const root = resolve(import.meta.dirname, '../..')
const COMMITTED = join(root, 'docs/images/heatmap-batch-upload.svg')

/** The cells an SVG heatmap draws, from the data attributes of each cell. */
function drawnCells(svg: string): {strategy: string; essays: number; skew: number; failures: number; runs: number}[] {
  return [...svg.matchAll(/<g class="cell" data-strategy="([^"]+)" data-essays="(\d+)" data-skew="([-\d.]+)" data-failures="(\d+)" data-runs="(\d+)">/g)].map((m) => ({
    strategy: m[1],
    essays: Number(m[2]),
    skew: Number(m[3]),
    failures: Number(m[4]),
    runs: Number(m[5]),
  }))
}

describe('racelab heatmap', () => {
  it('draws cells whose numbers are the simulator’s: one cell recomputed run by run; the SVG is well-formed XML', async () => {
    // Given a grid of 2 and 25 essays at the real debug test's skew (BOS 2.0 s, File Service 0.5 s)
    const out = join(mkdtempSync(join(tmpdir(), 'racelab-heatmap-')), 'map.svg')

    // When
    const {stdout, error} = await runCommand(['heatmap', '--sizes', '2,25', '--skews', '1.5s', '--seeds', '30', '--workers', '1', '--out', out, '--json'], {root})

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout) as {cells: HeatmapCell[]}
    const cell = (strategy: string, essays: number) => json.cells.find((c) => c.strategy === strategy && c.essays === essays)!
    expect(cell('naive', 2)).toMatchObject({bosRelay: '2s', fileRelay: '500ms', skew: 1.5, runs: 30})
    // the naive 2-essay cell, recomputed: one run per seed with the same scenario and flags
    const definition = BUILTIN_SCENARIOS.get('batch-upload')!
    const shape = shapeOptions({essays: 2, delay: ['bos-relay=2s', 'file-relay=500ms'], 'els-instances': 1})
    let failures = 0
    for (let seed = 1; seed <= 30; seed++) if (runSimulation({...shape, scenario: definition, strategy: 'naive', seed}).result.verdict === 'fail') failures++
    expect(cell('naive', 2).failures).toBe(failures)
    expect(failures).toBeGreaterThan(0)
    // the contrast the real system saw, and the fix's clean map
    expect(cell('naive', 25).failures).toBe(0)
    expect(cell('buffer', 2).failures + cell('buffer', 25).failures).toBe(0)
    // the SVG draws exactly these cells, and parses as XML
    const svg = readFileSync(out, 'utf8')
    const key = (c: {strategy: string; essays: number}) => `${c.strategy} ${String(c.essays).padStart(3)}`
    const drawn = drawnCells(svg).sort((a, b) => key(a).localeCompare(key(b)))
    expect(drawn).toEqual(json.cells.map(({strategy, essays, skew, failures: f, runs}) => ({strategy, essays, skew, failures: f, runs})).sort((a, b) => key(a).localeCompare(key(b))))
    expect(await xmlProblems(out)).toBeUndefined()
  })

  it('the committed picture shows the real contrast: naive fails 2-essay batches far more often than 25-essay ones; buffer is clean', async () => {
    // Given
    expect(existsSync(COMMITTED), 'racelab heatmap --seeds 100 --out docs/images/heatmap-batch-upload.svg').toBe(true)
    const cells = drawnCells(readFileSync(COMMITTED, 'utf8'))
    const at = (strategy: string, essays: number, skew: number) => cells.find((c) => c.strategy === strategy && c.essays === essays && c.skew === skew)!

    // Then
    expect(cells.length).toBeGreaterThan(0)
    for (const skew of [1, 1.5, 2]) {
      const two = at('naive', 2, skew)
      const many = at('naive', 25, skew)
      expect(two.failures / two.runs).toBeGreaterThanOrEqual(0.1)
      expect(many.failures / many.runs).toBeLessThanOrEqual(two.failures / two.runs / 5)
    }
    expect(cells.filter((c) => c.strategy === 'buffer').every((c) => c.failures === 0)).toBe(true)
    expect(await xmlProblems(COMMITTED)).toBeUndefined()
  })

  it('writes an HTML page with the map inline; refuses an --out that is neither .svg nor .html, and a repeated skew', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-heatmap-'))

    // When
    const page = await runCommand(['heatmap', '--sizes', '2', '--skews=-500ms,1s', '--seeds', '2', '--workers', '1', '--out', join(dir, 'map.html')], {root})
    const png = await runCommand(['heatmap', '--out', join(dir, 'map.png')], {root})
    const twice = await runCommand(['heatmap', '--skews', '1s,1000ms', '--out', join(dir, 'again.svg')], {root})

    // Then
    expect(page.error).toBeUndefined()
    const html = readFileSync(join(dir, 'map.html'), 'utf8')
    expect(html).toMatch(/^<!DOCTYPE html>\n<!-- racelab heatmap -->/)
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="heatmap"')
    expect(drawnCells(html).map((c) => c.skew)).toEqual([-0.5, 1, -0.5, 1])
    expect(page.stdout).toContain('wrote')
    expect(png.error?.oclif?.exit).toBe(2)
    expect(png.stderr + png.error?.message).toContain('.svg or .html')
    expect(twice.error?.oclif?.exit).toBe(2)
    expect(twice.stderr + twice.error?.message).toContain('given twice')
  })
})
