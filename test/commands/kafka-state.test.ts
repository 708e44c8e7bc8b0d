import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {hasKcat, SKIP_LINE} from '../live/support.js'

// The state files of `racelab kafka up --detach`: racelab's own format, checked before anything
// is deleted or started. Every case checks the files before and after.

if (!hasKcat) console.log(SKIP_LINE)

const root = resolve(import.meta.dirname, '../..')
const kafka = (args: string[]) => runCommand(['kafka', ...args], {root})
const dir = () => mkdtempSync(join(tmpdir(), 'racelab-kafka-state-'))
const USERS = '{"pid": 4242, "servers": "mine:9092"}\n'

/** A pid that no longer runs. */
const deadPid = () => spawnSync('true').pid

function racelabState(stateFile: string, fields: Record<string, unknown> = {}): string {
  const state = {racelab: 'kafka-state/1', pid: deadPid(), pgid: 0, servers: '127.0.0.1:1', brokers: 1, startedAt: new Date().toISOString(), log: stateFile.replace(/\.json$/, '.log'), ...fields}
  if (state.pgid === 0) state.pgid = state.pid
  return JSON.stringify(state, null, 2) + '\n'
}

function expectOneLine(result: {stderr: string; error?: {oclif?: {exit?: number}}}, ...parts: Array<string | RegExp>): void {
  expect(result.error?.oclif?.exit).toBe(2)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  for (const part of parts) expect(lines[0]).toMatch(part)
}

describe('kafka down: deletes only what racelab created', () => {
  it('a file that is not a racelab state file: one line, exit 2, it and its .log sibling untouched', async () => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, USERS)
    writeFileSync(join(d, 'kafka.log'), 'my log\n')
    // When
    const result = await kafka(['down', '--state', state])
    // Then
    expectOneLine(result, `--state ${state}`, 'not a racelab state file')
    expect(readFileSync(state, 'utf8')).toBe(USERS)
    expect(readFileSync(join(d, 'kafka.log'), 'utf8')).toBe('my log\n')
  })

  it.each([
    ['no marker', {racelab: undefined}],
    ['another version', {racelab: 'kafka-state/2'}],
    ['an unknown field', {extra: true}],
    ['a pid of 1 (process group -1 is every process)', {pid: 1, pgid: 1}],
    ['a string pid', {pid: '123'}],
    ['a relative log', {log: 'kafka.log'}],
  ])('%s: not racelab\'s, nothing deleted', async (_, fields) => {
    const d = dir()
    const state = join(d, 'kafka.json')
    const text = racelabState(state, fields)
    writeFileSync(state, text)
    writeFileSync(join(d, 'kafka.log'), 'log\n')
    expectOneLine(await kafka(['down', '--state', state]), `--state ${state}`, 'not a racelab state file')
    expect(readFileSync(state, 'utf8')).toBe(text)
    expect(existsSync(join(d, 'kafka.log'))).toBe(true)
  })

  it('a racelab state file whose cluster is gone: deletes it and its sibling log, nothing else', async () => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, racelabState(state))
    writeFileSync(join(d, 'kafka.log'), 'kcat stderr\n')
    writeFileSync(join(d, 'other.txt'), 'other\n')
    // When
    const result = await kafka(['down', '--state', state, '--json'])
    // Then
    expect(result.error).toBeUndefined()
    expect(JSON.parse(result.stdout)).toMatchObject({stopped: false, stateFile: state})
    expect(readdirSync(d)).toEqual(['other.txt'])
  })

  it('a log the state names that is not its sibling is never deleted', async () => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    const precious = join(d, 'precious.txt')
    writeFileSync(precious, 'precious\n')
    writeFileSync(state, racelabState(state, {log: precious}))
    // When
    const result = await kafka(['down', '--state', state])
    // Then
    expect(result.error).toBeUndefined()
    expect(existsSync(state)).toBe(false)
    expect(readFileSync(precious, 'utf8')).toBe('precious\n')
  })

  it('a symlinked sibling log is not followed: the link goes, its target stays', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    const target = join(d, 'target.txt')
    writeFileSync(target, 'target\n')
    symlinkSync(target, join(d, 'kafka.log'))
    writeFileSync(state, racelabState(state))
    expect((await kafka(['down', '--state', state])).error).toBeUndefined()
    expect(readFileSync(target, 'utf8')).toBe('target\n')
    expect(existsSync(state)).toBe(false)
  })

  it.each([
    ['a directory', (d: string) => {
      mkdirSync(join(d, 'kafka.json'))
      return join(d, 'kafka.json')
    }, 'is a directory'],
    ['a symlink', (d: string) => {
      writeFileSync(join(d, 'real.json'), racelabState(join(d, 'real.json')))
      symlinkSync(join(d, 'real.json'), join(d, 'kafka.json'))
      return join(d, 'kafka.json')
    }, 'is a symlink'],
    ['a FIFO (never opened: reading one would hang)', (d: string) => {
      execFileSync('mkfifo', [join(d, 'kafka.json')])
      return join(d, 'kafka.json')
    }, 'is not a regular file'],
  ])('--state naming %s: one line, exit 2, nothing deleted (down and status)', async (_, make, message) => {
    const d = dir()
    const state = make(d)
    const before = readdirSync(d)
    expectOneLine(await kafka(['down', '--state', state]), `--state ${state}`, message)
    expectOneLine(await kafka(['status', '--state', state]), `--state ${state}`, message)
    expect(readdirSync(d)).toEqual(before)
  })
})

describe('kafka status: reads only racelab state files', () => {
  it('a file that is not racelab\'s: one line, exit 2, untouched', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, USERS)
    expectOneLine(await kafka(['status', '--state', state]), `--state ${state}`, 'not a racelab state file')
    expect(readFileSync(state, 'utf8')).toBe(USERS)
  })

  it('a racelab state file whose cluster is gone: not running, exit 1', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, racelabState(state))
    const result = await kafka(['status', '--state', state])
    expect(result.error?.oclif?.exit).toBe(1)
    expect(result.stdout).toContain('not running')
  })
})

describe('kafka up --detach: refuses a state it cannot record, before kcat starts', () => {
  // A stand-in kcat that leaves a mark when it is started: the refusals below must leave none.
  const saved = process.env.RACELAB_KCAT
  let marker = ''
  beforeEach(() => {
    const d = dir()
    marker = join(d, 'kcat-started')
    const fake = join(d, 'kcat')
    writeFileSync(fake, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`)
    chmodSync(fake, 0o755)
    process.env.RACELAB_KCAT = fake
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.RACELAB_KCAT
    else process.env.RACELAB_KCAT = saved
  })

  it('an existing file that is not a racelab state file', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, USERS)
    expectOneLine(await kafka(['up', '--detach', '--state', state]), `--state ${state}`, 'not a racelab state file')
    expect(readFileSync(state, 'utf8')).toBe(USERS)
    expect(existsSync(join(d, 'kafka.log'))).toBe(false)
    expect(existsSync(marker)).toBe(false)
  })

  it('a state file an older racelab wrote (no "racelab" marker): refused before kcat starts, it and its log untouched', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    const old = JSON.stringify({pid: deadPid(), servers: '127.0.0.1:1', brokers: 1, startedAt: new Date().toISOString(), log: join(d, 'kafka.log')}) + '\n'
    writeFileSync(state, old)
    writeFileSync(join(d, 'kafka.log'), 'old kcat stderr\n')
    expectOneLine(await kafka(['up', '--detach', '--state', state]), `--state ${state}`, 'has no "racelab": "kafka-state/1"')
    expect(readFileSync(state, 'utf8')).toBe(old)
    expect(readFileSync(join(d, 'kafka.log'), 'utf8')).toBe('old kcat stderr\n')
    expect(existsSync(marker)).toBe(false)
  })

  it('a .log sibling no racelab state file names', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(join(d, 'kafka.log'), 'my notes\n')
    expectOneLine(await kafka(['up', '--detach', '--state', state]), `--state ${state}`, 'kafka.log exists and no racelab state file names it')
    expect(readFileSync(join(d, 'kafka.log'), 'utf8')).toBe('my notes\n')
    expect(existsSync(state)).toBe(false)
    expect(existsSync(marker)).toBe(false)
  })

  it.each([
    ['a directory', (d: string) => d, /is a directory/],
    ['an empty path', () => '', /empty path|expects a value/],
  ])('--state naming %s', async (_, make, message) => {
    const d = dir()
    const before = readdirSync(d)
    expectOneLine(await kafka(['up', '--detach', '--state', make(d)]), message)
    expect(readdirSync(d)).toEqual(before)
    expect(existsSync(marker)).toBe(false)
  })

  it('a cluster that does not start leaves no log and no state behind', async () => {
    const d = dir()
    const state = join(d, 'kafka.json')
    const result = await kafka(['up', '--detach', '--state', state])
    expect(result.error?.oclif?.exit).toBe(3)
    expect(existsSync(marker)).toBe(true)
    expect(readdirSync(d)).toEqual([])
  })
})

/** Live members of process group `pgid` (Linux: /proc), zombies left out. */
function groupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry))
    } catch {
      // gone
    }
  }
  return members
}

describe.skipIf(!hasKcat || !existsSync('/proc/self/stat'))('kafka up/down with kcat: the whole process group', () => {
  it('kcat outliving its killed leader: status still says running, down stops every member and deletes racelab\'s files', async () => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    const up = await kafka(['up', '--detach', '--brokers', '1', '--state', state, '--json'])
    expect(up.error).toBeUndefined()
    const {pid} = JSON.parse(up.stdout) as {pid: number}
    const recorded = JSON.parse(readFileSync(state, 'utf8'))
    expect(recorded).toMatchObject({racelab: 'kafka-state/1', pid, pgid: pid, log: join(d, 'kafka.log')})
    expect(groupMembers(pid).length).toBeGreaterThan(1)
    // When: only the leader dies
    process.kill(pid, 'SIGKILL')
    await new Promise((done) => setTimeout(done, 200))
    const status = await kafka(['status', '--state', state, '--json'])
    const down = await kafka(['down', '--state', state, '--json'])
    // Then
    expect(status.error).toBeUndefined()
    expect(JSON.parse(status.stdout)).toMatchObject({running: true})
    expect(JSON.parse(down.stdout)).toMatchObject({stopped: true, pid})
    expect(groupMembers(pid)).toEqual([])
    expect(readdirSync(d)).toEqual([])
    const after = await kafka(['status', '--state', state])
    expect(after.error?.oclif?.exit).toBe(1)
  })

  it('up over a racelab state file of a cluster that is gone replaces it and its log', async () => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    writeFileSync(state, racelabState(state))
    writeFileSync(join(d, 'kafka.log'), 'old kcat stderr\n')
    // When
    const up = await kafka(['up', '--detach', '--brokers', '1', '--state', state, '--json'])
    try {
      // Then
      expect(up.error).toBeUndefined()
      const {pid} = JSON.parse(up.stdout) as {pid: number}
      expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({pid})
      expect(readFileSync(join(d, 'kafka.log'), 'utf8')).not.toContain('old kcat stderr')
    } finally {
      await kafka(['down', '--state', state])
    }
    expect(readdirSync(d)).toEqual([])
  })
})

describe('a state file an older racelab wrote (before the "racelab" marker) is never used', () => {
  // What racelab wrote before kafka-state/1: the pid of the group, no marker, no pgid.
  const oldState = (d: string): string => JSON.stringify({pid: deadPid(), servers: '127.0.0.1:1', brokers: 1, startedAt: new Date().toISOString(), log: join(d, 'kafka.log')}, null, 2) + '\n'

  it.each([
    ['down', ['down']],
    ['status', ['status']],
  ])('kafka %s: one line naming it, exit 2; it and its log untouched', async (_, args) => {
    // Given
    const d = dir()
    const state = join(d, 'kafka.json')
    const text = oldState(d)
    writeFileSync(state, text)
    writeFileSync(join(d, 'kafka.log'), 'old kcat stderr\n')
    // When
    const result = await kafka([...args, '--state', state])
    // Then
    expectOneLine(result, `--state ${state}`, 'not a racelab state file', 'has no "racelab": "kafka-state/1"')
    expect(readFileSync(state, 'utf8')).toBe(text)
    expect(readFileSync(join(d, 'kafka.log'), 'utf8')).toBe('old kcat stderr\n')
  })

  it('run --kafka local: one line naming the file (not "no cluster running"), exit 2, the file untouched', async () => {
    // Given: the old file where --kafka local looks, two levels up
    const top = dir()
    mkdirSync(join(top, '.racelab'))
    const state = join(top, '.racelab', 'kafka.json')
    const text = oldState(join(top, '.racelab'))
    writeFileSync(state, text)
    const cwd = join(top, 'a', 'b')
    mkdirSync(cwd, {recursive: true})
    // When
    const result = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'run', '--kafka', 'local'], {cwd, encoding: 'utf8'})
    // Then
    expect(result.status).toBe(2)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`--kafka local: ${state}: exists and is not a racelab state file (it has no "racelab": "kafka-state/1")`)
    expect(lines[0]).toContain('racelab kafka up --detach')
    expect(readFileSync(state, 'utf8')).toBe(text)
  })
})
