import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

import {performTask, type Task, type TaskResult} from './task.js'
import type {TaskMessage} from './verify-worker.js'
import {InputError} from '../input-error.js'
import {packageFile} from '../package-root.js'

type Reply = {index: number; result: TaskResult} | {index: number; error: string; badInput?: boolean}

/**
 * Runs tasks on worker threads (or in this thread when `workers` is 1). Results come back in task
 * order, whichever worker finished first; `onDone` is told each task's index as it finishes.
 */
export class WorkerPool {
  private readonly workers: Worker[] = []

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a pool needs at least 1 worker, not ${size}`)
  }

  /** Worker threads started so far (0 when running in process). */
  get threads(): number {
    return this.workers.length
  }

  async run(tasks: readonly Task[], onDone: (index: number) => void = () => {}): Promise<TaskResult[]> {
    if (this.size === 1) return runInProcess(tasks, onDone)
    while (this.workers.length < Math.min(this.size, tasks.length)) this.workers.push(spawnWorker())
    const results: TaskResult[] = new Array(tasks.length)
    let next = 0
    let finished = 0
    return new Promise((resolve, reject) => {
      if (tasks.length === 0) return resolve(results)
      const cleanups: (() => void)[] = []
      const settle = (error?: Error): void => {
        for (const cleanup of cleanups) cleanup()
        if (error) reject(error)
        else resolve(results)
      }
      const feed = (worker: Worker): void => {
        if (next < tasks.length) {
          const message: TaskMessage = {index: next, task: tasks[next]}
          next++
          worker.postMessage(message)
        }
      }
      for (const worker of this.workers) {
        const onMessage = (reply: Reply): void => {
          if ('error' in reply) {
            // Bad input found inside a run (say, a topology too large) is still the user's input.
            return settle(reply.badInput ? new InputError(reply.error) : new Error(`verify worker: ${reply.error}`))
          }
          results[reply.index] = reply.result
          finished++
          onDone(reply.index)
          if (finished === tasks.length) settle()
          else feed(worker)
        }
        const onError = (error: Error): void => settle(error)
        const onExit = (code: number): void => settle(new Error(`verify worker exited with code ${code}`))
        worker.on('message', onMessage)
        worker.on('error', onError)
        worker.on('exit', onExit)
        cleanups.push(() => {
          worker.off('message', onMessage)
          worker.off('error', onError)
          worker.off('exit', onExit)
        })
        feed(worker)
      }
    })
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0)
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}

async function runInProcess(tasks: readonly Task[], onDone: (index: number) => void): Promise<TaskResult[]> {
  const results: TaskResult[] = []
  for (const [index, task] of tasks.entries()) {
    results.push(performTask(task))
    onDone(index)
    // Let timers and I/O (the progress line, a Ctrl-C) through between tasks.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return results
}

/**
 * The worker runs the built `dist/sim/verify/verify-worker.js` (found from the package: this code
 * may run from a bundled chunk, not from next to it). Running from the TypeScript
 * sources (vitest, bin/dev.js) there is only `verify-worker.ts`: the worker then registers tsx's
 * loader itself first (on Node 20, `--import tsx` in a worker's execArgv does not reach its entry).
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(packageFile('dist/sim/verify/verify-worker.js'))
  const tsxApi = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href
  const entry = new URL('./verify-worker.ts', import.meta.url).href
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({register}) => { register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, {eval: true})
}
