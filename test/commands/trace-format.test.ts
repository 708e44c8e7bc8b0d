import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')

describe('--trace-format', () => {
  it('run writes a Chrome trace and a Mermaid diagram, and each replaces the other without --force', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-format-')), 'run.trace')

    // When
    const chrome = await runCommand(['run', '--scenario', 'content-first', '--strategy', 'naive', '--trace', file, '--trace-format', 'chrome', '--json'], {root})
    const written = JSON.parse(readFileSync(file, 'utf8'))
    const mermaid = await runCommand(['run', '--scenario', 'content-first', '--strategy', 'naive', '--trace', file, '--trace-format', 'mermaid', '--json'], {root})

    // Then
    expect(chrome.error?.oclif?.exit).toBe(1)
    expect(written.traceEvents.filter((e: {name: string}) => e.name === 'thread_name')).toHaveLength(6)
    expect(written.otherData.reproduce).toBe('racelab run --scenario content-first --strategy naive --seed 1')
    expect(mermaid.error?.oclif?.exit).toBe(1)
    expect(readFileSync(file, 'utf8')).toMatch(/^sequenceDiagram\n/)
  })

  it('step writes the trace too; jsonl is the default', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-format-')), 'step.jsonl')

    // When
    const {error} = await runCommand(['step', '--scenario', 'registration-first', '--trace', file, '--json'], {root})

    // Then
    expect(error).toBeUndefined()
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines.length).toBeGreaterThan(5)
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('ev')
  })

  it('--trace-format without --trace is bad input, and a file of the user is not replaced without --force', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-format-')), 'notes.txt')
    writeFileSync(file, 'my notes\n')

    // When
    const alone = await runCommand(['run', '--trace-format', 'chrome'], {root})
    const stepAlone = await runCommand(['step', '--trace-format', 'mermaid'], {root})
    const mine = await runCommand(['run', '--trace', file, '--trace-format', 'mermaid'], {root})

    // Then
    expect(alone.error?.oclif?.exit).toBe(2)
    expect(alone.stderr + alone.error?.message).toContain('--trace-format')
    expect(stepAlone.error?.oclif?.exit).toBe(2)
    expect(mine.error?.oclif?.exit).toBe(2)
    expect(readFileSync(file, 'utf8')).toBe('my notes\n')
  })

  it('replay --trace DIR writes one trace per fixture and strategy, in the format asked', async () => {
    // Given
    const dir = join(mkdtempSync(join(tmpdir(), 'racelab-format-')), 'traces')
    const fixture = join(root, 'fixtures/scenarios/content-first.yaml')

    // When
    const {error} = await runCommand(['replay', fixture, '--strategy', 'naive', '--strategy', 'buffer', '--trace', dir, '--trace-format', 'chrome', '--json'], {root})

    // Then
    expect(error).toBeUndefined()
    expect(readdirSync(dir).sort()).toEqual(['content-first.buffer.trace.json', 'content-first.naive.trace.json'])
    const chrome = JSON.parse(readFileSync(join(dir, 'content-first.naive.trace.json'), 'utf8'))
    expect(chrome.otherData.reproduce).toBe(`racelab replay ${fixture} --strategy naive`)
    expect(chrome.traceEvents.some((e: {name: string; args?: {name?: string}}) => e.name === 'thread_name' && e.args?.name === 'bos-relay')).toBe(true)
  })

  it('verify --trace DIR writes each shrunk counterexample, numbered as --report numbers them', async () => {
    // Given
    const dir = join(mkdtempSync(join(tmpdir(), 'racelab-format-')), 'cex')

    // When
    const {error, stdout} = await runCommand(['verify', '--scenario', 'content-first', '--strategy', 'naive', '--seeds', '2', '--workers', '1', '--trace', dir, '--trace-format', 'mermaid', '--json'], {root})

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    const shrunk = json.cells.filter((cell: {counterexample?: unknown}) => cell.counterexample).length
    expect(shrunk).toBeGreaterThan(0)
    expect(readdirSync(dir).sort()).toEqual(Array.from({length: shrunk}, (_, i) => `counterexample-${i + 1}.mmd`).sort())
    const diagram = readFileSync(join(dir, 'counterexample-1.mmd'), 'utf8')
    expect(diagram).toMatch(/^sequenceDiagram\n/)
    expect(diagram).toContain('%% reproduce: racelab run --scenario content-first --strategy naive')
  })

  it('--trace-format without --trace on replay and verify is bad input', async () => {
    // When
    const replay = await runCommand(['replay', join(root, 'fixtures/scenarios/content-first.yaml'), '--trace-format', 'chrome'], {root})
    const verify = await runCommand(['verify', '--scenario', 'content-first', '--seeds', '1', '--trace-format', 'mermaid'], {root})
    const unshrunk = await runCommand(['verify', '--scenario', 'content-first', '--seeds', '1', '--trace', tmpdir(), '--no-shrink'], {root})

    // Then
    for (const r of [replay, verify, unshrunk]) expect(r.error?.oclif?.exit).toBe(2)
    expect(replay.stderr + replay.error?.message).toContain('--trace-format')
    expect(unshrunk.stderr + unshrunk.error?.message).toContain('--no-shrink')
  })
})
