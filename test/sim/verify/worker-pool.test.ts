import {describe, expect, it} from 'vitest'

import {planChunks} from '../../../src/sim/verify/chunk.js'
import {buildCells} from '../../../src/sim/verify/matrix.js'
import type {Task} from '../../../src/sim/verify/task.js'
import {WorkerPool} from '../../../src/sim/verify/worker-pool.js'

const tasks: Task[] = planChunks(
  buildCells([{scenarios: ['random', 'partial'], strategies: ['naive'], seedStart: 1, seeds: 6, shape: {'els-instances': 1}}], () => ({options: {}, args: []})),
  2,
).map((chunk) => ({kind: 'chunk', chunk}))

async function withPool<T>(size: number, use: (pool: WorkerPool) => Promise<T>): Promise<T> {
  const pool = new WorkerPool(size)
  try {
    return await use(pool)
  } finally {
    await pool.close()
  }
}

describe('WorkerPool', () => {
  it('returns results in task order from worker threads, the same as in process', async () => {
    // Given
    const done: number[] = []
    // When
    const inProcess = await withPool(1, (pool) => pool.run(tasks))
    const [threaded, threads] = await withPool(2, async (pool) => [await pool.run(tasks, (i) => done.push(i)), pool.threads] as const)
    // Then
    expect(threads).toBe(2)
    expect(threaded).toEqual(inProcess)
    expect([...done].sort((a, b) => a - b)).toEqual(tasks.map((_, i) => i))
  })

  it('reuses its threads for a second batch of tasks', async () => {
    // When
    const [first, second, threads] = await withPool(2, async (pool) => [await pool.run(tasks.slice(0, 3)), await pool.run(tasks.slice(3)), pool.threads] as const)
    // Then
    expect(first).toHaveLength(3)
    expect(second).toHaveLength(tasks.length - 3)
    expect(threads).toBe(2)
  })

  it.each([1, 2])('rejects with the task’s error (%i workers)', async (size) => {
    // Given a chunk of a scenario that does not exist
    const broken: Task = tasks[0].kind === 'chunk' ? {kind: 'chunk', chunk: {...tasks[0].chunk, scenario: 'nope'}} : tasks[0]
    // When / Then
    await expect(withPool(size, (pool) => pool.run([tasks[1], broken]))).rejects.toThrow('unknown scenario "nope"')
  })
})
