import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
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
})
