import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {OWN_FILES, writeTarget} from '../../../src/sim/files/safe-write.js'
import {InputError} from '../../../src/sim/input-error.js'
import {traceLines} from '../../../src/sim/trace/trace-file.js'
import {TraceStream} from '../../../src/sim/trace/trace-stream.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const events = (n: number): TraceEvent[] => Array.from({length: n}, (_, i) => ({t: i, svc: 'file', ev: 'upload-accepted', batch: `b${i % 7}`, file: `f${i}`}))

describe('TraceStream', () => {
  it('writes the bytes traceLines gives, across several chunks, and only when finished', () => {
    // Given 30,000 events (about 2 MiB)
    const dir = mkdtempSync(join(tmpdir(), 'racelab-stream-'))
    const path = join(dir, 't.jsonl')
    const trace = events(30_000)
    const stream = new TraceStream(writeTarget('--trace', path))
    // When
    for (const event of trace) stream.write(event)
    // Then nothing is at the path until the stream is finished
    expect(existsSync(path)).toBe(false)
    stream.finish()
    expect(readFileSync(path, 'utf8')).toBe(traceLines(trace))
    expect(readdirSync(dir)).toEqual(['t.jsonl'])
  })

  it('abandoned, leaves neither the file nor its temporary file', () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-stream-'))
    const stream = new TraceStream(writeTarget('--trace', join(dir, 't.jsonl')))
    stream.write(events(1)[0])
    // When
    stream.abandon()
    // Then
    expect(readdirSync(dir)).toEqual([])
  })

  it('replaces a trace racelab wrote, and refuses a user’s file without --force', () => {
    // Given a trace of ours and a file of the user's
    const dir = mkdtempSync(join(tmpdir(), 'racelab-stream-'))
    const ours = join(dir, 'ours.jsonl')
    const theirs = join(dir, 'theirs.jsonl')
    writeFileSync(ours, traceLines(events(3)))
    writeFileSync(theirs, 'my notes\n')
    // When
    const stream = new TraceStream(writeTarget('--trace', ours, {ours: OWN_FILES.trace}))
    stream.write(events(1)[0])
    stream.finish()
    // Then
    expect(readFileSync(ours, 'utf8')).toBe(traceLines(events(1)))
    expect(() => new TraceStream(writeTarget('--trace', theirs, {ours: OWN_FILES.trace}))).toThrow(InputError)
    expect(readFileSync(theirs, 'utf8')).toBe('my notes\n')
  })
})
