import {mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadFixture} from '../../../src/sim/fixture/format/fixture-load.js'
import {defaultExportPath, exportLabRun} from '../../../src/sim/lab/lab-export.js'
import {simulateLab} from '../../../src/sim/lab/lab-run.js'
import {traceLines} from '../../../src/sim/trace/trace-file.js'

const dir = () => mkdtempSync(join(tmpdir(), 'racelab-lab-export-'))
const lab = () => simulateLab({scenario: 'content-first', strategy: 'naive', seed: 1, delays: ['bos-relay=1s'], wakes: [], faults: [], elsInstances: 1})

describe('exportLabRun', () => {
  it('writes the trace, and replaces a trace racelab wrote without asking', () => {
    // Given
    const path = join(dir(), 'run.jsonl')
    const run = lab()

    // When
    const first = exportLabRun(run, 'trace', path, false)
    const again = exportLabRun(run, 'trace', path, false)

    // Then
    expect(first).toEqual({kind: 'written', path})
    expect(again).toEqual({kind: 'written', path})
    expect(readFileSync(path, 'utf8')).toBe(traceLines(run.run.trace))
  })

  it('a file of the user’s is not replaced unless forced: it says it exists', () => {
    // Given
    const path = join(dir(), 'notes.txt')
    writeFileSync(path, 'mine\n')

    // When
    const outcome = exportLabRun(lab(), 'trace', path, false)

    // Then
    expect(outcome).toEqual({kind: 'exists', path, why: 'exists and is not one racelab wrote'})
    expect(readFileSync(path, 'utf8')).toBe('mine\n')
    expect(exportLabRun(lab(), 'trace', path, true)).toEqual({kind: 'written', path})
  })

  it('a fixture is never replaced without asking, and a symlink never, even forced', () => {
    // Given
    const where = dir()
    const fixture = join(where, 'race.yaml')
    const link = join(where, 'link.yaml')
    symlinkSync(fixture, link)

    // When
    const written = exportLabRun(lab(), 'fixture', fixture, false)
    const second = exportLabRun(lab(), 'fixture', fixture, false)
    const throughLink = exportLabRun(lab(), 'fixture', link, true)

    // Then
    expect(written).toEqual({kind: 'written', path: fixture})
    expect(second).toMatchObject({kind: 'exists'})
    expect(throughLink).toMatchObject({kind: 'refused', why: expect.stringContaining('symlink')})
  })

  it('the fixture loads and carries the lab’s changes', () => {
    // Given
    const path = join(dir(), 'race.yaml')

    // When
    exportLabRun(lab(), 'fixture', path, false)

    // Then
    const text = readFileSync(path, 'utf8')
    const loaded = loadFixture(path, text)
    expect(loaded.ok).toBe(true)
    expect(text).toContain('bos-relay=1s')
    expect(text).toContain('racelab step --scenario content-first --strategy naive --seed 1 --delay bos-relay=1s')
  })

  it('offers a name after the run', () => {
    expect(defaultExportPath(lab().config, 'fixture')).toBe('racelab-content-first-naive-1.yaml')
    expect(defaultExportPath(lab().config, 'trace')).toBe('racelab-content-first-naive-1.jsonl')
  })
})
