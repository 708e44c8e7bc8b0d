import {chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {OWN_FILES, writeFileSafely, writeTarget} from '../../../src/sim/files/safe-write.js'

const dir = () => mkdtempSync(join(tmpdir(), 'racelab-safe-write-'))

describe('writeFileSafely', () => {
  it('a write that fails leaves the old file whole and no temporary file behind', () => {
    // Given
    const d = dir()
    const file = join(d, 'report.xml')
    writeFileSync(file, 'old contents\n')
    // When: the temporary file is open when the write throws (not bytes: writeSync refuses it)
    const write = () => writeFileSafely(writeTarget('--junit', file, {force: true}), {} as Uint8Array)
    // Then
    expect(write).toThrow(/^--junit .*report\.xml: cannot write it/)
    expect(readFileSync(file, 'utf8')).toBe('old contents\n')
    expect(readdirSync(d)).toEqual(['report.xml'])
  })

  it('a file that appears while racelab works is judged again at write time', () => {
    const d = dir()
    const file = join(d, 'trace.jsonl')
    const target = writeTarget('--trace', file, {ours: OWN_FILES.trace})
    writeFileSync(file, 'appeared meanwhile\n')
    expect(() => writeFileSafely(target, '{"t":0,"svc":"bos","ev":"batch-registered"}\n')).toThrow(/--trace .*trace\.jsonl: exists and is not one racelab wrote \(add --force to replace it\)/)
    expect(readFileSync(file, 'utf8')).toBe('appeared meanwhile\n')
    expect(readdirSync(d)).toEqual(['trace.jsonl'])
  })

  it('a replaced file keeps its permissions', () => {
    const d = dir()
    const file = join(d, 'x.yaml')
    writeFileSync(file, 'old\n')
    chmodSync(file, 0o600)
    writeFileSafely(writeTarget('--out', file, {force: true}), 'new\n')
    expect(readFileSync(file, 'utf8')).toBe('new\n')
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('an empty path is refused', () => {
    expect(() => writeFileSafely(writeTarget('--trace', ''), 'x')).toThrow('--trace: an empty path; name a file')
  })

  it('recognises racelab\'s traces and JUnit reports by their first bytes, nothing else', () => {
    expect(OWN_FILES.trace('{"t":207000,"svc":"file-relay","ev":"published","type":"X"}\n')).toBe(true)
    expect(OWN_FILES.trace('{"svc":"bos","t":1}\n')).toBe(false)
    expect(OWN_FILES.trace('')).toBe(false)
    expect(OWN_FILES.junit('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="racelab verify" tests="1">')).toBe(true)
    expect(OWN_FILES.junit('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vitest tests" tests="1">')).toBe(false)
  })
})
