import type {CellTally} from './cell-tally.js'
import {runChunk, type Chunk} from './chunk.js'
import {runShrinkJob, type ShrinkJob, type ShrunkRun} from './counterexamples.js'

/** Work for the pool: a chunk of seeds, or a counterexample to shrink. */
export type Task = {kind: 'chunk'; chunk: Chunk} | {kind: 'shrink'; job: ShrinkJob}

export type TaskResult = {kind: 'chunk'; tally: CellTally} | {kind: 'shrink'; shrunk: ShrunkRun}

/** Does one task; the same code runs in a worker thread and in process. */
export function performTask(task: Task): TaskResult {
  switch (task.kind) {
    case 'chunk':
      return {kind: 'chunk', tally: runChunk(task.chunk)}
    case 'shrink':
      return {kind: 'shrink', shrunk: runShrinkJob(task.job)}
  }
}

/** The handler module a task runs with, if any: a worker loads it before the task. */
export function handlerOf(task: Task): string | undefined {
  return task.kind === 'chunk' ? task.chunk.shape.handler : task.job.spec.handler
}
