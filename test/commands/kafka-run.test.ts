import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

describe('racelab run --kafka: input checked before anything runs (no cluster needed)', () => {
  it('an unreachable cluster: one line naming the brokers tried, exit 2, within seconds', async () => {
    // Given: nothing listens on ports 1 and 2
    const started = Date.now()

    // When
    const {stdout, stderr, error} = await run(['--kafka', '127.0.0.1:1,127.0.0.1:2', '--scenario', 'content-first'])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('cannot reach Kafka at 127.0.0.1:1,127.0.0.1:2')
    expect(stdout).toBe('')
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it.each([
    [['--kafka', 'nope'], '--kafka nope'],
    [['--kafka', '127.0.0.1:9092', '--topic-prefix', 'bad/prefix'], '--topic-prefix'],
    [['--kafka', '127.0.0.1:9092', '--fault', 'broker-unavailable=1s..2s'], '--fault broker-unavailable: not available with --kafka'],
    [['--kafka', '127.0.0.1:9092', '--delay', 'kafka=5ms'], '--delay kafka'],
  ])('%j: one line, exit 2', async (args, message) => {
    const {stderr, error} = await run(args)
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain(message)
  })
})
