import {execFile, spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {afterEach, describe, expect, it} from 'vitest'

import {hasKcat} from '../live/support.js'

const root = resolve(import.meta.dirname, '../..')
const kafka = (args: string[]) => runCommand(['kafka', ...args], {root})
const stateIn = (dir: string) => join(dir, 'kafka.json')

/**
 * Whether `pid` still runs. A zombie does not: it has exited and waits for its parent to reap it,
 * and here the parent is this test process (kafka up ran in it), which reaps asynchronously.
 */
function alive(pid: number): boolean {
  try {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.startsWith('Z')) return false
  } catch {
    // no /proc entry: gone, or no /proc on this system; kill(0) below tells
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('racelab kafka: without kcat', () => {
  const saved = process.env.RACELAB_KCAT
  afterEach(() => {
    if (saved === undefined) delete process.env.RACELAB_KCAT
    else process.env.RACELAB_KCAT = saved
  })

  it('kafka up: one line naming the Debian package kcat, exit 2', async () => {
    // Given
    process.env.RACELAB_KCAT = '/nonexistent/kcat'

    // When
    const {stderr, error} = await kafka(['up', '--detach', '--state', stateIn(mkdtempSync(join(tmpdir(), 'racelab-kafka-')))])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/kcat not found .*install the Debian package kcat/)
  })
})

describe('racelab kafka down / status without a cluster', () => {
  it('down: nothing recorded is not an error', async () => {
    const state = stateIn(mkdtempSync(join(tmpdir(), 'racelab-kafka-')))
    const {stdout, error} = await kafka(['down', '--state', state, '--json'])
    expect(error).toBeUndefined()
    expect(JSON.parse(stdout)).toEqual({stopped: false, stateFile: state})
  })

  it('status: exit 1 when nothing runs', async () => {
    const state = stateIn(mkdtempSync(join(tmpdir(), 'racelab-kafka-')))
    const {stdout, error} = await kafka(['status', '--state', state])
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain('not running')
  })
})

/** The built CLI run from `cwd`: its exit code and output. */
function racelabIn(cwd: string, args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'bin/run.js'), ...args], {cwd, timeout: 30_000}, (error, stdout, stderr) => {
      done({code: error ? Number(error.code) : 0, stdout, stderr})
    })
  })
}

describe('--kafka local and the kafka commands find the state file from a subdirectory', () => {
  it('run --kafka local with no state file here or above: one line saying where it looked and how to give the servers, exit 2', async () => {
    // Given
    const dir = join(mkdtempSync(join(tmpdir(), 'racelab-local-')), 'a', 'b')
    mkdirSync(dir, {recursive: true})
    // When
    const {code, stderr} = await racelabIn(dir, ['run', '--kafka', 'local'])
    // Then
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(`--kafka local: no .racelab/kafka.json in ${dir} or any parent directory`)
    expect(stderr).toContain('--kafka host:port')
  })

  it('kafka status in a subdirectory reads the nearest parent’s .racelab/kafka.json', async () => {
    // Given: a state file two levels up (whatever it holds, status names it)
    const top = mkdtempSync(join(tmpdir(), 'racelab-local-'))
    mkdirSync(join(top, '.racelab'))
    writeFileSync(join(top, '.racelab', 'kafka.json'), '{}')
    const dir = join(top, 'a', 'b')
    mkdirSync(dir, {recursive: true})
    // When
    const {code, stdout, stderr} = await racelabIn(dir, ['kafka', 'status'])
    // Then
    expect(code).not.toBe(0)
    expect(stdout + stderr).toContain(join(top, '.racelab', 'kafka.json'))
  })

  it('kafka up --state without --detach (no state file is written): one line, exit 2', async () => {
    const {stderr, error} = await kafka(['up', '--state', stateIn(mkdtempSync(join(tmpdir(), 'racelab-kafka-')))])
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--state: only a detached cluster (--detach) writes a state file')
  })
})

describe.skipIf(!hasKcat)('racelab kafka up/down with kcat', () => {
  it('--detach writes the state file, a second up reuses it, down stops the whole process group', async () => {
    // Given
    const state = stateIn(mkdtempSync(join(tmpdir(), 'racelab-kafka-')))

    // When
    const up = await kafka(['up', '--detach', '--brokers', '2', '--state', state, '--json'])
    const again = await kafka(['up', '--detach', '--state', state, '--json'])
    const status = await kafka(['status', '--state', state, '--json'])

    // Then
    expect(up.error).toBeUndefined()
    const started = JSON.parse(up.stdout)
    expect(started).toMatchObject({brokers: 2, detached: true, stateFile: state})
    expect(started.servers).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/)
    expect(existsSync(state)).toBe(true)
    expect(JSON.parse(again.stdout)).toMatchObject({servers: started.servers, pid: started.pid, alreadyRunning: true})
    expect(JSON.parse(status.stdout)).toMatchObject({running: true, servers: started.servers})

    // When
    const down = await kafka(['down', '--state', state, '--json'])

    // Then
    expect(JSON.parse(down.stdout)).toMatchObject({stopped: true, pid: started.pid, servers: started.servers})
    expect(existsSync(state)).toBe(false)
    expect(alive(started.pid)).toBe(false)
  })

  it('in the foreground: prints the servers as JSON, runs until SIGINT, then stops kcat and exits 0', async () => {
    // Given
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), 'kafka', 'up', '--brokers', '1', '--json'], {stdio: ['ignore', 'pipe', 'pipe']})
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))

    // When: the first JSON document arrives
    let out = ''
    const json = await new Promise<{servers: string; pid: number}>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no JSON within 15 s: ${out}`)), 15_000)
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        try {
          const parsed = JSON.parse(out)
          clearTimeout(timer)
          done(parsed)
        } catch {
          // not complete yet
        }
      })
    })
    child.kill('SIGINT')

    // Then
    expect(json.servers).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await exited).toBe(0)
    expect(alive(json.pid)).toBe(false)
  })
})
