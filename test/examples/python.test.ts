import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const BUFFER = '/usr/bin/python3 examples/python/els_buffer.py'
const MEMORY = '/usr/bin/python3 examples/python/els_memory_buffer.py'

// `verify --ci` starts a process per ELS instance and per restart: about 2,080 runs, 18 minutes on
// a loaded 2-core machine (docs/benchmarks.md), too long for the suite. These run the CI matrix's
// blocks that matter for a consumer, smaller: the race over every scenario, and every fault with
// 3 ELS instances (where the in-memory buffer's restarts and spread partitions show).
const RACE = ['--scenario', 'content-first', '--scenario', 'partial', '--scenario', 'validation-failure', '--scenario', 'never-registered', '--seeds', '5']
const FAULTS = ['--fault', 'relay-crash-after-publish', '--fault', 'consumer-crash-before-commit', '--fault', 'els-restart', '--fault', 'crash=all', '--fault', 'publish-error@2%']
const everyFault = (seeds: number) => ['--scenario', 'content-first', '--scenario', 'random', '--seeds', String(seeds), '--els-instances', '3', ...FAULTS]

async function verify(command: string, args: string[]) {
  // runCommand joins its arguments and splits them again, keeping double quotes together.
  const {stdout, error} = await runCommand(['verify', ...args, `--handler-cmd="${command}"`, '--workers', '2', '--json'], {root})
  return {json: JSON.parse(stdout), error}
}

describe('examples/python (consumer processes over the stdio protocol)', () => {
  it('els_buffer.py, the fix in Python, passes the race and every fault with 3 instances', async () => {
    // When
    const race = await verify(BUFFER, RACE)
    const faults = await verify(BUFFER, everyFault(10))
    // Then
    for (const {json, error} of [race, faults]) {
      expect(error).toBeUndefined()
      expect(json).toMatchObject({verdict: 'pass', handlerCmd: BUFFER, unmatched: 0})
      for (const cell of json.cells) expect(cell.shape).toContain(`--handler-cmd '${BUFFER}'`)
    }
  }, 600_000)

  it('els_memory_buffer.py, the buffer in process memory, fails with no-lost-content and ready-exactly-once', async () => {
    // When
    const {json, error} = await verify(MEMORY, everyFault(4))
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(json.verdict).toBe('fail')
    const violated = new Set(json.cells.flatMap((cell: {invariants?: Record<string, unknown>}) => Object.keys(cell.invariants ?? {})))
    expect([...violated]).toEqual(expect.arrayContaining(['no-lost-content', 'ready-exactly-once']))
    // the counterexample reproduces with the same process
    const shrunk = json.cells.find((cell: {counterexample?: unknown}) => cell.counterexample !== undefined).counterexample
    expect(shrunk.replay).toContain(`--handler-cmd '${MEMORY}'`)
    expect(shrunk.options.handlerCmd).toBe(MEMORY)
  }, 600_000)
})
