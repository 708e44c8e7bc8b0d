import {spawn, type ChildProcess} from 'node:child_process'
import {accessSync, closeSync, constants, existsSync, lstatSync, openSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {delimiter, isAbsolute, join, resolve} from 'node:path'

import {fileHead, writeFileSafely, writeTarget} from '../sim/files/safe-write.js'
import {InputError} from '../sim/input-error.js'

/**
 * A local Kafka-protocol cluster from librdkafka's mock cluster, launched through kcat:
 *
 *   kcat -P -b localhost:9092 -t racelab-probe -X test.mock.num.brokers=3
 *
 * starts N in-process mock brokers on random localhost ports, logs "... replaced with
 * 127.0.0.1:PORT,..." on stderr and keeps them up while its stdin stays open (it is a producer
 * waiting for lines it never gets). `racelab kafka up`, the live tests and the benchmark all start
 * their clusters here.
 *
 * What the mock cluster does NOT do (checked with kafkajs 2.2.4 against librdkafka 2.0.2): it
 * reports controller id 0, which is none of its brokers, so kafkajs's admin createTopics and
 * deleteTopics and the idempotent producer fail with "Broker 0 not found in the cached
 * metadata". Topics are auto-created on first metadata request with 4 partitions. A consumer
 * group's first join takes 3 s (the broker's initial rebalance delay).
 */

/** Debian (and Ubuntu, Homebrew) package that brings kcat and its mock cluster. */
export const KCAT_PACKAGE = 'kcat'
export const DEFAULT_STATE_FILE = join('.racelab', 'kafka.json')
const SERVERS_LINE = /replaced with (\S+)/
const START_TIMEOUT_MS = 10_000

export class KcatMissingError extends Error {
  override readonly name = 'KcatMissingError'
  constructor(tried: string) {
    super(
      `kcat not found (${tried}): install the Debian package ${KCAT_PACKAGE} (apt-get install ${KCAT_PACKAGE}), ` +
        'or set RACELAB_KCAT to its path',
    )
  }
}

export class ClusterStartError extends Error {
  override readonly name = 'ClusterStartError'
}

/** The kcat binary: $RACELAB_KCAT if set, else `kcat` (or the older name `kafkacat`) on PATH. */
export function findKcat(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.RACELAB_KCAT
  if (override !== undefined && override !== '') return isExecutable(override) ? resolve(override) : undefined
  for (const name of ['kcat', 'kafkacat']) {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue
      const candidate = join(dir, name)
      if (isExecutable(candidate)) return candidate
    }
  }
  return undefined
}

export function requireKcat(env: NodeJS.ProcessEnv = process.env): string {
  const kcat = findKcat(env)
  if (kcat === undefined) {
    throw new KcatMissingError(env.RACELAB_KCAT ? `RACELAB_KCAT=${env.RACELAB_KCAT} is not executable` : 'not on PATH')
  }
  return kcat
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** kcat's arguments for a mock cluster of `brokers` brokers (`-b` is required and ignored). */
export function kcatArgs(brokers: number): string[] {
  return ['-P', '-b', 'localhost:9092', '-t', 'racelab-probe', '-X', `test.mock.num.brokers=${brokers}`]
}

export function parseServers(stderr: string): string | undefined {
  return SERVERS_LINE.exec(stderr)?.[1]
}

export interface RunningCluster {
  /** Bootstrap servers, comma separated: `127.0.0.1:PORT,127.0.0.1:PORT,...`. */
  servers: string
  brokers: number
  pid: number
  /** Resolves when kcat exits (on its own or after `stop`). */
  exited: Promise<number | null>
  /** Closes kcat's stdin (it exits cleanly) and kills it if it lingers; resolves once it is gone. */
  stop(): Promise<void>
}

/**
 * Starts a mock cluster owned by this process: kcat is a child whose stdin this process holds.
 * When this process dies the pipe closes and the cluster goes with it.
 */
export async function startMockCluster(options: {brokers?: number; kcat?: string} = {}): Promise<RunningCluster> {
  const brokers = options.brokers ?? 3
  const kcat = options.kcat ?? requireKcat()
  const child = spawn(kcat, kcatArgs(brokers), {stdio: ['pipe', 'ignore', 'pipe']})
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code))
    child.once('error', () => done(null))
  })
  let stderr = ''
  const servers = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new ClusterStartError(startFailure(kcat, 'timed out', stderr))), START_TIMEOUT_MS)
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 64_000) stderr += chunk.toString()
      const found = parseServers(stderr)
      if (found !== undefined) {
        clearTimeout(timer)
        done(found)
      }
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      fail(new ClusterStartError(startFailure(kcat, error.message, stderr)))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new ClusterStartError(startFailure(kcat, `exited with code ${code}`, stderr)))
    })
  }).catch(async (error: unknown) => {
    await stopChild(child, exited)
    throw error
  })
  // Keep draining stderr so kcat never blocks on a full pipe.
  child.stderr!.removeAllListeners('data')
  child.stderr!.resume()
  return {servers, brokers, pid: child.pid!, exited, stop: () => stopChild(child, exited)}
}

function startFailure(kcat: string, what: string, stderr: string): string {
  const tail = stderr.trim().split('\n').slice(-1)[0] ?? ''
  return `${kcat} did not start a mock cluster (${what})${tail ? `: ${tail}` : ''}`
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.stdin?.end()
  const gone = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)])
  if (!gone) {
    child.kill('SIGKILL')
    await exited
  }
}

// ---- detached clusters (`racelab kafka up --detach`, `racelab kafka down`) ---------------------

/** Marks a state file as racelab's own: `kafka down` deletes nothing a file without it names. */
export const STATE_MARKER = 'kafka-state/1'

export interface ClusterState {
  racelab: typeof STATE_MARKER
  /** The detached `sh` that leads the cluster's process group. */
  pid: number
  /** The process group of the detached cluster: `sh`, the `tail` keeping stdin open, and kcat. */
  pgid: number
  servers: string
  brokers: number
  startedAt: string
  /** kcat's stderr: always the state file's sibling (see logFileFor). */
  log: string
}

/** The fields of a state file, every one required, no other allowed. */
const STATE_FIELDS: Record<keyof ClusterState, (value: unknown) => boolean> = {
  racelab: (value) => value === STATE_MARKER,
  // Never 0 or 1: signalling process group -0 or -1 would reach this process's group, or every process.
  pid: (value) => Number.isSafeInteger(value) && (value as number) > 1,
  pgid: (value) => Number.isSafeInteger(value) && (value as number) > 1,
  servers: (value) => typeof value === 'string' && /^[\w.:[\]-]+(,[\w.:[\]-]+)*$/.test(value),
  brokers: (value) => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 16,
  startedAt: (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  log: (value) => typeof value === 'string' && isAbsolute(value),
}

/** The state file's text as racelab's own format, or why it is not. */
export function parseClusterState(text: string): ClusterState | {problem: string} {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {problem: 'is not JSON'}
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {problem: 'is not a JSON object'}
  const record = parsed as Record<string, unknown>
  if (record.racelab !== STATE_MARKER) return {problem: `has no "racelab": "${STATE_MARKER}"`}
  for (const key of Object.keys(record)) if (!(key in STATE_FIELDS)) return {problem: `has an unknown field "${key}"`}
  for (const [key, valid] of Object.entries(STATE_FIELDS)) if (!valid(record[key])) return {problem: `has a missing or invalid "${key}"`}
  return record as unknown as ClusterState
}

/** The log file racelab creates next to a state file: `kafka.json` -> `kafka.log`. */
export function logFileFor(stateFile: string): string {
  return resolve(stateFile).replace(/\.json$/, '') + '.log'
}

type StateFile = {kind: 'absent'} | {kind: 'ours'; state: ClusterState}

/**
 * What is at `stateFile`: nothing, or a state file racelab wrote. Anything else (a symlink, a
 * directory, a FIFO, a file that is not racelab's format) is an InputError naming it: racelab
 * reads, replaces and deletes only its own. Reads at most 4 KB, and never opens a non-regular file.
 */
export function inspectStateFile(stateFile: string): StateFile {
  const path = resolve(stateFile)
  let stats
  try {
    stats = lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'absent'}
    throw new InputError(`--state ${stateFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (stats.isSymbolicLink()) throw new InputError(`--state ${stateFile}: is a symlink; racelab reads and deletes only its own state files (name the file itself)`)
  if (stats.isDirectory()) throw new InputError(`--state ${stateFile}: is a directory; name a state file (default ${DEFAULT_STATE_FILE})`)
  if (!stats.isFile()) throw new InputError(`--state ${stateFile}: is not a regular file`)
  const state = parseClusterState(fileHead(path))
  if ('problem' in state) {
    throw new InputError(`--state ${stateFile}: exists and is not a racelab state file (it ${state.problem}); racelab will not use, replace or delete it`)
  }
  return {kind: 'ours', state}
}

/** The recorded detached cluster, if the state file is racelab's; undefined when absent. */
export function readClusterState(stateFile: string): ClusterState | undefined {
  const found = inspectStateFile(stateFile)
  return found.kind === 'ours' ? found.state : undefined
}

/**
 * Throws (before anything starts) unless a detached cluster's state can be recorded at
 * `stateFile`: the file is absent or racelab's, its directory can be written, and the log
 * sibling is absent or the one that racelab state file names. Returns the old state, if any.
 */
export function checkStateTarget(stateFile: string): ClusterState | undefined {
  const found = inspectStateFile(stateFile)
  const old = found.kind === 'ours' ? found.state : undefined
  const log = logFileFor(stateFile)
  let logStats
  try {
    logStats = lstatSync(log)
  } catch {
    logStats = undefined
  }
  if (logStats !== undefined && !(logStats.isFile() && old?.log === log)) {
    throw new InputError(`--state ${stateFile}: ${log} exists and no racelab state file names it; racelab will not replace it (move it away or choose another --state)`)
  }
  return old
}

/**
 * Starts a cluster that outlives this process: `sh -c 'tail -f /dev/null | kcat ...'` detached,
 * so that it leads a process group of its own (tail keeps kcat's stdin open forever), stderr to a
 * new log file next to the state file. Writes the state file once kcat reported its bootstrap
 * servers; a state that cannot be written stops the cluster again.
 */
export async function startDetachedCluster(options: {brokers?: number; stateFile: string; kcat?: string}): Promise<ClusterState> {
  const brokers = options.brokers ?? 3
  const kcat = options.kcat ?? requireKcat()
  const stateFile = resolve(options.stateFile)
  const old = checkStateTarget(options.stateFile)
  const log = logFileFor(stateFile)
  if (old?.log === log) rmSync(log, {force: true})
  // 'wx': a new file, never one (or a link) that appeared since the check.
  const logFd = openSync(log, 'wx')
  const command = `tail -f /dev/null | exec ${[kcat, ...kcatArgs(brokers)].map(shellQuote).join(' ')}`
  const child = spawn('sh', ['-c', command], {detached: true, stdio: ['ignore', 'ignore', logFd]})
  closeSync(logFd)
  child.unref()
  const pid = child.pid!
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : ''
    const servers = parseServers(text)
    if (servers !== undefined) {
      const state: ClusterState = {racelab: STATE_MARKER, pid, pgid: pid, servers, brokers, startedAt: new Date().toISOString(), log}
      try {
        writeFileSafely(writeTarget('--state', options.stateFile, {ours: (head) => !('problem' in parseClusterState(head))}), JSON.stringify(state, null, 2) + '\n')
      } catch (error) {
        await stopGroup(pid)
        rmSync(log, {force: true})
        throw error
      }
      return state
    }
    if (!isAlive(pid) || Date.now() > deadline) {
      await stopGroup(pid)
      rmSync(log, {force: true})
      throw new ClusterStartError(startFailure(kcat, isAlive(pid) ? 'timed out' : 'exited', text))
    }
    await sleep(50)
  }
}

/**
 * True when the recorded process group still runs a racelab mock cluster: any live member of
 * it, not only its leader (kcat outlives a killed `sh`). On Linux each member is checked to be
 * ours (its command line names the mock cluster); elsewhere the group's existence is the answer.
 */
export function isClusterAlive(state: ClusterState): boolean {
  return groupAlive(state.pgid)
}

function groupAlive(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) return isAlive(-pgid)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) !== pgid || state === 'Z') continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('test.mock.num.brokers')) return true
    } catch {
      // gone meanwhile
    }
  }
  return false
}

/** SIGTERM to the whole group, SIGKILL to what is left after 3 s; resolves once no member lives. */
async function stopGroup(pgid: number): Promise<void> {
  killGroup(pgid, 'SIGTERM')
  const deadline = Date.now() + 3000
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(25)
  if (groupAlive(pgid)) {
    killGroup(pgid, 'SIGKILL')
    while (groupAlive(pgid) && Date.now() < deadline + 2000) await sleep(25)
  }
}

/**
 * Stops the detached cluster recorded in `stateFile` (its whole process group) and deletes what
 * racelab created: the state file, and the log when the state names it and it is the sibling
 * racelab creates (a regular file, never a link). The same when the cluster was already gone.
 * A state file that is not racelab's is an InputError, and nothing is deleted. Returns the state
 * it stopped, or undefined when nothing was recorded.
 */
export async function stopDetachedCluster(stateFile: string): Promise<{state: ClusterState; wasRunning: boolean} | undefined> {
  const state = readClusterState(stateFile)
  if (state === undefined) return undefined
  const wasRunning = isClusterAlive(state)
  if (wasRunning) await stopGroup(state.pgid)
  rmSync(resolve(stateFile), {force: true})
  const log = logFileFor(stateFile)
  if (state.log === log) {
    try {
      if (lstatSync(log).isFile()) rmSync(log, {force: true})
    } catch {
      // no log
    }
  }
  return {state, wasRunning}
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}

/** A relative state file is resolved against the current directory. */
export function stateFilePath(file: string | undefined): string {
  if (file === '') throw new InputError(`--state: an empty path; name a state file (default ${DEFAULT_STATE_FILE})`)
  const path = file ?? DEFAULT_STATE_FILE
  return isAbsolute(path) ? path : resolve(path)
}

/**
 * `--kafka local`: the bootstrap servers of the cluster `racelab kafka up --detach` recorded in
 * the state file; undefined when none runs. A file there that is not racelab's (an older
 * racelab's, without the marker, or anyone else's) is an InputError naming it, never read as one.
 */
export function localServers(stateFile: string = DEFAULT_STATE_FILE): string | undefined {
  let state: ClusterState | undefined
  try {
    state = readClusterState(stateFile)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    throw new InputError(
      `--kafka local: ${resolve(stateFile)}${error.message.slice(error.message.indexOf(':'))}; stop its cluster yourself and move the file away, then: racelab kafka up --detach`,
    )
  }
  return state !== undefined && isClusterAlive(state) ? state.servers : undefined
}
