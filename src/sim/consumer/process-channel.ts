import {MessageChannel, type MessagePort, receiveMessageOnPort, Worker} from 'node:worker_threads'

/**
 * A synchronous line channel to child processes (docs/handler-protocol.md#how-racelab-waits).
 *
 * The consumer seam is synchronous (a handling is one step of the kernel), so racelab must block
 * while a consumer process answers. Node cannot read a pipe with a timeout synchronously, so one
 * small worker thread per racelab thread owns the children (spawn, stdin, stdout split into lines,
 * stderr kept, exit) with ordinary asynchronous I/O, and the simulating thread blocks in
 * `Atomics.wait` on a counter the worker bumps after every message it posts, then takes the
 * messages with `receiveMessageOnPort`. The kernel sees one answer per request, in the order the
 * child wrote them: nothing about the wall clock reaches a run except a timeout, which stops it.
 */

/** What a child sent, as the simulating thread receives it. */
export type ChildEvent =
  | {kind: 'line'; line: string}
  | {kind: 'exit'; code: number | null; signal: string | null}
  | {kind: 'spawn-error'; error: string}
  | {kind: 'timeout'}

type Posted =
  | {id: number; kind: 'line'; line: string}
  | {id: number; kind: 'exit'; code: number | null; signal: string | null}
  | {id: number; kind: 'spawn-error'; error: string}
  | {id: number; kind: 'stderr'; text: string}
  | {id: number; kind: 'pid'; pid: number}

/** Children started ahead per command: a run starts up to 3 ELS instances at once (`verify --ci`). */
const SPARES = 3

/** How much of a child's stderr is kept to show when it fails (its last bytes). */
const STDERR_KEPT = 8192

// The worker's code, CommonJS, evaluated: no file to find, whether racelab runs built or from source.
const WORKER = `
const {workerData} = require('node:worker_threads')
const {spawn} = require('node:child_process')
const port = workerData.port
const signal = new Int32Array(workerData.signal)
const children = new Map()
function post(message) {
  port.postMessage(message)
  Atomics.add(signal, 0, 1)
  Atomics.notify(signal, 0)
}
port.on('message', (m) => {
  if (m.op === 'spawn') {
    let child
    try {
      child = spawn(m.file, m.args, {cwd: m.cwd, stdio: ['pipe', 'pipe', 'pipe'], env: process.env})
    } catch (error) {
      post({id: m.id, kind: 'spawn-error', error: String(error && error.message || error)})
      return
    }
    const state = {child, pending: '', stderr: '', inherit: m.inheritStderr}
    children.set(m.id, state)
    if (child.pid !== undefined) port.postMessage({id: m.id, kind: 'pid', pid: child.pid})
    child.on('error', (error) => post({id: m.id, kind: 'spawn-error', error: String(error && error.message || error)}))
    child.stdin.on('error', () => {})
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      const lines = (state.pending + chunk).split('\\n')
      state.pending = lines.pop()
      for (const line of lines) post({id: m.id, kind: 'line', line})
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk) => {
      if (state.inherit) process.stderr.write(chunk)
      state.stderr = (state.stderr + chunk).slice(-${STDERR_KEPT})
    })
    child.on('close', (code, sig) => {
      if (state.pending !== '') post({id: m.id, kind: 'line', line: state.pending})
      state.pending = ''
      state.exited = true
      post({id: m.id, kind: 'exit', code, signal: sig})
    })
  } else if (m.op === 'send') {
    const state = children.get(m.id)
    if (state && !state.exited) state.child.stdin.write(m.line + '\\n')
  } else if (m.op === 'stderr') {
    const state = children.get(m.id)
    post({id: m.id, kind: 'stderr', text: state ? state.stderr : ''})
  } else if (m.op === 'kill') {
    const state = children.get(m.id)
    children.delete(m.id)
    if (state && !state.exited) {
      state.child.stdin.destroy()
      state.child.kill('SIGKILL')
    }
  }
})
process.on('exit', () => {
  for (const state of children.values()) if (!state.exited) try { state.child.kill('SIGKILL') } catch {}
})
`

/** The channel of this thread (a verify worker has its own). */
let shared: ProcessChannel | undefined

export function processChannel(): ProcessChannel {
  shared ??= new ProcessChannel()
  return shared
}

export class ProcessChannel {
  private readonly worker: Worker
  private readonly port: MessagePort
  private readonly signal = new Int32Array(new SharedArrayBuffer(4))
  private readonly queues = new Map<number, (ChildEvent | {kind: 'stderr'; text: string})[]>()
  private readonly spares = new Map<string, number[]>()
  private readonly pids = new Map<number, number>()
  /** Children still running, by id: killed when racelab exits. */
  private readonly live = new Set<number>()
  private nextId = 1

  constructor() {
    const {port1, port2} = new MessageChannel()
    this.port = port1
    this.worker = new Worker(WORKER, {eval: true, workerData: {port: port2, signal: this.signal.buffer}, transferList: [port2]})
    // The worker and its port must not keep racelab alive; the children die with the worker.
    this.worker.unref()
    this.port.unref()
    // At exit the worker gets no more turns: the children are killed from here, by pid.
    process.once('exit', () => {
      this.drain()
      for (const id of this.live) {
        const pid = this.pids.get(id)
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // already gone
          }
        }
      }
    })
  }

  /**
   * A child running `file args` in `cwd`; its answers queue until `receive`. It comes from the
   * spares already started for the same command (a program's start-up, tens of milliseconds for
   * Python, is then paid while the run goes on), and the spares are topped up. A spare has been
   * sent nothing, so which one a run gets makes no difference.
   */
  spawn(file: string, args: readonly string[], cwd: string, inheritStderr = false): number {
    const key = JSON.stringify([file, args, cwd, inheritStderr])
    const spares = this.spares.get(key) ?? []
    this.spares.set(key, spares)
    const id = spares.shift() ?? this.start(file, args, cwd, inheritStderr)
    while (spares.length < SPARES) spares.push(this.start(file, args, cwd, inheritStderr))
    return id
  }

  private start(file: string, args: readonly string[], cwd: string, inheritStderr: boolean): number {
    const id = this.nextId++
    this.queues.set(id, [])
    this.live.add(id)
    this.port.postMessage({op: 'spawn', id, file, args, cwd, inheritStderr})
    return id
  }

  send(id: number, line: string): void {
    this.port.postMessage({op: 'send', id, line})
  }

  /** Kills the child with SIGKILL (its process memory is gone); what it still sends is dropped. */
  kill(id: number): void {
    if (!this.queues.has(id)) return
    this.queues.delete(id)
    this.pids.delete(id)
    this.live.delete(id)
    this.port.postMessage({op: 'kill', id})
  }

  /** An answer already waiting, without blocking: output the child wrote when nobody asked. */
  pending(id: number): ChildEvent | undefined {
    this.drain()
    const queue = this.queues.get(id)
    const index = queue?.findIndex((e) => e.kind === 'line') ?? -1
    return index >= 0 ? (queue![index] as ChildEvent) : undefined
  }

  /** The next line (or exit) of child `id`, blocking up to `timeoutMs` of wall-clock time. */
  receive(id: number, timeoutMs: number): ChildEvent {
    const event = this.await(id, timeoutMs, (e) => e.kind !== 'stderr')
    if (event?.kind === 'exit' || event?.kind === 'spawn-error') this.live.delete(id)
    return (event as ChildEvent | undefined) ?? {kind: 'timeout'}
  }

  /** The last bytes the child wrote to its stderr (to show with a failure). */
  stderr(id: number): string {
    if (!this.queues.has(id)) return ''
    this.port.postMessage({op: 'stderr', id})
    const event = this.await(id, 1000, (e) => e.kind === 'stderr')
    return event?.kind === 'stderr' ? event.text : ''
  }

  private await(id: number, timeoutMs: number, wanted: (e: ChildEvent | {kind: 'stderr'; text: string}) => boolean) {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const seen = Atomics.load(this.signal, 0)
      this.drain()
      const queue = this.queues.get(id)
      if (queue === undefined) return undefined
      const index = queue.findIndex(wanted)
      if (index >= 0) return queue.splice(index, 1)[0]
      const left = deadline - performance.now()
      if (left <= 0) return undefined
      Atomics.wait(this.signal, 0, seen, left)
    }
  }

  private drain(): void {
    for (let received = receiveMessageOnPort(this.port); received !== undefined; received = receiveMessageOnPort(this.port)) {
      const posted = received.message as Posted
      if (posted.kind === 'pid') {
        if (this.queues.has(posted.id)) this.pids.set(posted.id, posted.pid)
        continue
      }
      const queue = this.queues.get(posted.id)
      if (queue === undefined) continue // a child killed since: what it still said is not part of any run
      const {id: _id, ...event} = posted
      queue.push(event as ChildEvent | {kind: 'stderr'; text: string})
    }
  }
}
