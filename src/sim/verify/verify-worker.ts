import {parentPort} from 'node:worker_threads'

import {loadHandler} from '../consumer/handler-loader.js'
import {handlerOf, performTask, type Task} from './task.js'
import {InputError} from '../input-error.js'

/** Worker thread entry: performs each task it is sent and answers with its index. */
export interface TaskMessage {
  index: number
  task: Task
}

parentPort?.on('message', async ({index, task}: TaskMessage) => {
  try {
    // A user's handler is loaded once per worker (module loading is asynchronous, runs are not).
    const handler = handlerOf(task)
    if (handler !== undefined) await loadHandler(handler)
    parentPort?.postMessage({index, result: performTask(task)})
  } catch (error) {
    parentPort?.postMessage({
      index,
      error: error instanceof Error ? error.message : String(error),
      badInput: error instanceof InputError,
    })
  }
})
