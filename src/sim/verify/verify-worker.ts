import {parentPort} from 'node:worker_threads'

import {performTask, type Task} from './task.js'
import {InputError} from '../input-error.js'

/** Worker thread entry: performs each task it is sent and answers with its index. */
export interface TaskMessage {
  index: number
  task: Task
}

parentPort?.on('message', ({index, task}: TaskMessage) => {
  try {
    parentPort?.postMessage({index, result: performTask(task)})
  } catch (error) {
    parentPort?.postMessage({
      index,
      error: error instanceof Error ? error.message : String(error),
      badInput: error instanceof InputError,
    })
  }
})
