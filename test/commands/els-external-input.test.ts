import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})

describe('--els external and racelab els: input checked before anything runs (no cluster needed)', () => {
  it.each([
    [['run', '--els', 'external'], '--els external judges a consumer that runs elsewhere, on a real cluster: it goes with --kafka local or --kafka BROKERS'],
    [['run', '--kafka', '127.0.0.1:9092', '--els', 'external', '--strategy', 'partition-key'], '--strategy partition-key: publishes to the shared topic'],
    [['run', '--kafka', '127.0.0.1:9092', '--els', 'external', '--els-instances', '3'], '--els-instances: ELS runs elsewhere (--els external)'],
    [['run', '--kafka', '127.0.0.1:9092', '--els', 'external', '--fault', 'els-restart'], '--fault els-restart: ELS runs elsewhere (--els external)'],
    [['run', '--kafka', '127.0.0.1:9092', '--els', 'external', '--fault', 'crash=els'], '--fault crash: ELS runs elsewhere (--els external)'],
    [['verify', '--els', 'external'], '--els external judges a consumer that runs elsewhere, on a real cluster'],
    [['verify', '--topic-prefix', 'p-'], '--topic-prefix names the topics a consumer that runs elsewhere reads: it goes with --els external'],
    [['verify', '--kafka', '127.0.0.1:9092', '--els', 'external', '--strategy', 'relay-coordination'], '--strategy relay-coordination: publishes to the shared topic'],
    [['els', '--kafka', 'memory'], '--kafka memory: racelab els is a consumer service on a real cluster'],
    [['els', '--kafka', '127.0.0.1:9092', '--pending-timeout', 'soon'], '--pending-timeout soon:'],
    [['els', '--kafka', 'nope'], '--kafka nope'],
  ])('%j: one line naming the flag, exit 2', async (args, message) => {
    // When
    const {stdout, stderr, error} = await racelab(args)

    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(message)
    expect(stdout).toBe('')
  })

  it('racelab els without --kafka: exit 2, naming the flag', async () => {
    // When
    const {stderr, error} = await racelab(['els'])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toContain('--kafka')
  })

  it('an unreachable cluster: racelab els says so in one line, exit 2', async () => {
    // When
    const {stderr, error} = await racelab(['els', '--kafka', '127.0.0.1:1'])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('cannot reach Kafka at 127.0.0.1:1')
  })
})
