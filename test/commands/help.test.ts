import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
// Every command, from the manifest the build writes (adding a command adds it here).
const commands = Object.keys(JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')).commands as Record<string, unknown>)

/** `racelab <command> --help` as oclif renders it at 80 columns (stdout is a pipe: oclif takes 80). */
const help = (id: string): string =>
  execFileSync(process.execPath, [join(root, 'bin/run.js'), ...id.split(':'), '--help'], {env: {...process.env, COLUMNS: '80'}}).toString()

describe('--help at 80 columns', () => {
  it('knows every command', () => {
    expect(commands.sort()).toEqual(['bench', 'els', 'explore', 'heatmap', 'inevitability', 'kafka:down', 'kafka:status', 'kafka:up', 'merge', 'record', 'replay', 'report', 'run', 'step', 'verify'])
  })

  it.each(commands)('%s: no line longer than 80, and every exit code listed, 3 included', (id) => {
    // When
    const text = help(id)
    // Then
    const long = text.split('\n').filter((line) => [...line].length > 80)
    expect(long).toEqual([])
    const codes = /EXIT CODES\n((?: +\d {2}.*\n(?: {6,}.*\n)*)+)/.exec(text)?.[1] ?? ''
    const listed = [...codes.matchAll(/^ +(\d) {2}/gm)].map((m) => m[1])
    expect(listed).toEqual(expect.arrayContaining(['0', '2', '3']))
  })

  it.each([
    ['run', ['durations', 'seeds']],
    ['step', ['durations', 'seeds']],
    ['verify', ['durations', 'seeds']],
    ['explore', ['durations', 'seeds']],
    ['record', ['durations', 'seeds', 'descriptions']],
    ['replay', ['files', 'descriptions', 'durations', 'seeds']],
  ])('%s: LIMITS names the input limits it enforces', (id, limits) => {
    // When
    const text = help(id)
    // Then
    expect(text).toMatch(/LIMITS \(in flags and fixtures; beyond one: one line on stderr, exit 2\)/)
    const wanted: Record<string, RegExp> = {
      durations: /durations +at most 30 days \(720h\)/,
      seeds: /seeds +whole numbers 0\.\.4294967295 \(2\^32 - 1\)/,
      files: /files +a fixture: a regular file of at most 10 MB/,
      descriptions: /descriptions +a fixture's description: at most 2,000 characters/,
    }
    for (const name of limits) expect(text).toMatch(wanted[name])
  })
})
