import {execFileSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

// racelab's one rule for the files it writes (src/sim/files/safe-write.ts), for every writer:
// run --trace, verify --junit and record --out. Each case checks the file before and after.

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})
const dir = () => mkdtempSync(join(tmpdir(), 'racelab-files-'))
const USERS = 'a file of the user\'s own\n'

interface Writer {
  name: string
  flag: string
  args: (file: string) => string[]
  /** Whether a file the writer itself wrote is replaced without --force. */
  replacesOwn: boolean
}

const WRITERS: Writer[] = [
  {name: 'run --trace', flag: '--trace', args: (file) => ['run', '--scenario', 'content-first', '--strategy', 'buffer', '--json', '--trace', file], replacesOwn: true},
  {name: 'verify --junit', flag: '--junit', args: (file) => ['verify', '--scenario', 'content-first', '--strategy', 'buffer', '--seeds', '1', '--workers', '1', '--no-shrink', '--json', '--junit', file], replacesOwn: true},
  {name: 'record --out', flag: '--out', args: (file) => ['record', '--scenario', 'content-first', '--strategy', 'buffer', '--json', '--out', file], replacesOwn: false},
]

function expectOneLine(result: {stderr: string; error?: {oclif?: {exit?: number}}}, ...parts: Array<string | RegExp>): void {
  expect(result.error?.oclif?.exit).toBe(2)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  for (const part of parts) expect(lines[0]).toMatch(part)
}

const leftovers = (d: string) => readdirSync(d).filter((name) => name.endsWith('.tmp'))

describe.each(WRITERS)('$name: racelab\'s rule for the files it writes', ({flag, args, replacesOwn}) => {
  it('a new path is written', async () => {
    const d = dir()
    const file = join(d, 'new.out')
    const result = await racelab(args(file))
    expect(result.error).toBeUndefined()
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0)
    expect(leftovers(d)).toEqual([])
  })

  it('a file of the user\'s own is refused without --force (one line naming it and --force, exit 2), replaced with it', async () => {
    // Given
    const d = dir()
    const file = join(d, 'mine.out')
    writeFileSync(file, USERS)
    // When
    const refused = await racelab(args(file))
    const before = readFileSync(file, 'utf8')
    const forced = await racelab([...args(file), '--force'])
    // Then
    expectOneLine(refused, `${flag} ${file}`, '--force')
    expect(before).toBe(USERS)
    expect(forced.error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).not.toBe(USERS)
    expect(leftovers(d)).toEqual([])
  })

  it(replacesOwn ? 'a file it wrote itself is replaced without --force' : 'a file it wrote itself still takes --force (a fixture is source)', async () => {
    // Given
    const d = dir()
    const file = join(d, 'own.out')
    expect((await racelab(args(file))).error).toBeUndefined()
    const written = readFileSync(file, 'utf8')
    writeFileSync(file, written.replace(/\n$/, '\n\n'))
    // When
    const again = await racelab(args(file))
    // Then
    if (replacesOwn) {
      expect(again.error).toBeUndefined()
      expect(readFileSync(file, 'utf8')).toBe(written)
    } else {
      expectOneLine(again, `${flag} ${file}`, '--force')
      expect(readFileSync(file, 'utf8')).toBe(written.replace(/\n$/, '\n\n'))
    }
  })

  it('a symlink at the path is refused, even with --force; its target is untouched', async () => {
    // Given
    const d = dir()
    const target = join(d, 'target.txt')
    writeFileSync(target, USERS)
    const link = join(d, 'link.out')
    symlinkSync(target, link)
    const dangling = join(d, 'dangling.out')
    symlinkSync(join(d, 'nowhere.txt'), dangling)
    // When
    const plain = await racelab(args(link))
    const forced = await racelab([...args(link), '--force'])
    const danglingForced = await racelab([...args(dangling), '--force'])
    // Then
    expectOneLine(plain, `${flag} ${link}`, 'symlink')
    expectOneLine(forced, `${flag} ${link}`, 'symlink')
    expectOneLine(danglingForced, `${flag} ${dangling}`, 'symlink')
    expect(readFileSync(target, 'utf8')).toBe(USERS)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(existsSync(join(d, 'nowhere.txt'))).toBe(false)
  })

  it.each([
    ['a directory', (d: string) => {
      mkdirSync(join(d, 'x.out'))
      return join(d, 'x.out')
    }, 'is a directory'],
    ['a FIFO', (d: string) => {
      execFileSync('mkfifo', [join(d, 'x.out')])
      return join(d, 'x.out')
    }, 'not a regular file'],
    ['/dev/zero', () => '/dev/zero', 'not a regular file'],
    // oclif itself refuses an empty value; racelab's rule would too (safe-write.test.ts).
    ['an empty path', () => '', /empty path|expects a value/],
  ] as const)('%s is refused, with --force too: one line, exit 2', async (_, make, message) => {
    const d = dir()
    const file = make(d)
    const result = await racelab([...args(file), '--force'])
    expectOneLine(result, flag, message)
    if (file.startsWith(d)) expect(lstatSync(file).isFile()).toBe(false)
    expect(leftovers(d)).toEqual([])
  })
})

describe('--force with nothing to write', () => {
  it.each([
    [['run', '--scenario', 'content-first', '--force'], '--trace'],
    [['verify', '--seeds', '1', '--force'], '--junit'],
  ])('%j is refused, naming the flag it goes with', async (args, needs) => {
    // When
    const result = await racelab(args)

    // Then
    expectOneLine(result, '--force', needs)
  })
})
