import {existsSync, mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

// 60 batches × 25 essays: 7,740 events, a trace of more than 1 MiB (TraceStream writes it in chunks).
const LARGE = ['--scenario', 'content-first', '--strategy', 'buffer', '--batches', '60', '--essays', '25']

describe('racelab run of a large run: no trace kept, the same files and report', () => {
  it('--trace FILE written as the run goes has the bytes of the trace a run keeps (--metrics keeps it)', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-large-'))
    // When: streamed (jsonl, nothing else needs the trace), then kept in memory
    const streamed = await run([...LARGE, '--trace', join(dir, 'streamed.jsonl'), '--json'])
    const kept = await run([...LARGE, '--trace', join(dir, 'kept.jsonl'), '--metrics', join(dir, 'metrics.prom'), '--json'])
    // Then
    expect(streamed.error).toBeUndefined()
    expect(kept.error).toBeUndefined()
    const bytes = readFileSync(join(dir, 'streamed.jsonl'))
    expect(bytes.length).toBeGreaterThan(1 << 20)
    expect(bytes.equals(readFileSync(join(dir, 'kept.jsonl')))).toBe(true)
    expect(JSON.parse(streamed.stdout)).toEqual(JSON.parse(kept.stdout))
    // and no temporary file is left beside them
    expect(readdirSync(dir).sort()).toEqual(['kept.jsonl', 'metrics.prom', 'streamed.jsonl'])
  })

  it('the report of a run that keeps no trace shows the same first and last 100 lines', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-large-'))
    // When
    const gathered = await run(LARGE)
    const kept = await run([...LARGE, '--metrics', join(dir, 'metrics.prom')])
    // Then
    expect(gathered.error).toBeUndefined()
    expect(gathered.stdout).toContain('events left out')
    expect(gathered.stdout).toBe(kept.stdout)
  })

  it('a run of more than 250,000 files is refused in one line naming the flags, exit 2', async () => {
    // Given / When
    const dir = mkdtempSync(join(tmpdir(), 'racelab-large-'))
    const {stderr, error} = await run(['--scenario', 'content-first', '--batches', '10000', '--essays', '26', '--trace', join(dir, 't.jsonl')])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--essays × --batches: 260,000 files in one run; a run takes at most 250,000')
    expect(existsSync(join(dir, 't.jsonl'))).toBe(false)
    expect(readdirSync(dir)).toEqual([])
  })
})
