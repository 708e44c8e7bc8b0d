import {spawn, type ChildProcess} from 'node:child_process'
import {accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {delimiter, dirname, isAbsolute, join, resolve} from 'node:path'

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

export interface ClusterState {
  /** Process group of the detached cluster: `sh`, the `tail` keeping stdin open, and kcat. */
  pid: number
  servers: string
  brokers: number
  startedAt: string
  log: string
}

/**
 * Starts a cluster that outlives this process: `sh -c 'tail -f /dev/null | kcat ...'` in its own
 * process group (tail keeps kcat's stdin open forever), stderr to a log file next to the state
 * file. Writes the state file once kcat reported its bootstrap servers.
 */
export async function startDetachedCluster(options: {brokers?: number; stateFile: string; kcat?: string}): Promise<ClusterState> {
  const brokers = options.brokers ?? 3
  const kcat = options.kcat ?? requireKcat()
  const stateFile = resolve(options.stateFile)
  mkdirSync(dirname(stateFile), {recursive: true})
  const log = stateFile.replace(/\.json$/, '') + '.log'
  rmSync(log, {force: true})
  const logFd = openSync(log, 'a')
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
      const state: ClusterState = {pid, servers, brokers, startedAt: new Date().toISOString(), log}
      writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n')
      return state
    }
    if (!isAlive(pid) || Date.now() > deadline) {
      killGroup(pid)
      throw new ClusterStartError(startFailure(kcat, isAlive(pid) ? 'timed out' : 'exited', text))
    }
    await sleep(50)
  }
}

/** The recorded detached cluster, if the state file exists and parses. */
export function readClusterState(stateFile: string): ClusterState | undefined {
  const path = resolve(stateFile)
  if (!existsSync(path)) return undefined
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as ClusterState
    return Number.isInteger(state.pid) && typeof state.servers === 'string' ? state : undefined
  } catch {
    return undefined
  }
}

/** True when the recorded process group still runs a racelab mock cluster. */
export function isClusterAlive(state: ClusterState): boolean {
  if (!isAlive(state.pid)) return false
  // Guard against a recycled pid: on Linux, check it is still our `sh -c '... kcat ...'`.
  const cmdline = `/proc/${state.pid}/cmdline`
  if (existsSync('/proc/self/cmdline')) {
    try {
      return readFileSync(cmdline, 'utf8').includes('test.mock.num.brokers')
    } catch {
      return false
    }
  }
  return true
}

/**
 * Stops the detached cluster recorded in `stateFile` (its whole process group) and removes the
 * state file. Returns the state it stopped, or undefined when nothing (alive) was recorded.
 */
export async function stopDetachedCluster(stateFile: string): Promise<{state: ClusterState; wasRunning: boolean} | undefined> {
  const state = readClusterState(stateFile)
  if (state === undefined) return undefined
  const wasRunning = isClusterAlive(state)
  if (wasRunning) {
    killGroup(state.pid, 'SIGTERM')
    const deadline = Date.now() + 3000
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(25)
    if (isAlive(state.pid)) killGroup(state.pid, 'SIGKILL')
  }
  rmSync(resolve(stateFile), {force: true})
  rmSync(state.log, {force: true})
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
  const path = file ?? DEFAULT_STATE_FILE
  return isAbsolute(path) ? path : resolve(path)
}

/**
 * `--kafka local`: the bootstrap servers of the cluster `racelab kafka up --detach` recorded in
 * the default state file; undefined when none runs.
 */
export function localServers(stateFile: string = DEFAULT_STATE_FILE): string | undefined {
  const state = readClusterState(stateFile)
  return state !== undefined && isClusterAlive(state) ? state.servers : undefined
}
