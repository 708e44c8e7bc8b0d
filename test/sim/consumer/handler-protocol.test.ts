import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {PROTOCOL_SCHEMAS, protocolJsonSchema} from '../../../src/sim/consumer/handler-protocol.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import {schemaProblem} from './json-schema-check.js'

const root = resolve(import.meta.dirname, '../../..')
const NAMES = Object.keys(PROTOCOL_SCHEMAS) as (keyof typeof PROTOCOL_SCHEMAS)[]
const published = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, 'docs/handler-protocol', `${name}.schema.json`), 'utf8'))
const faults = ['consumer-crash-before-commit', 'els-restart', 'crash=all', 'relay-crash-after-publish'].map((text) => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
})

describe('the consumer process protocol (docs/handler-protocol.md)', () => {
  it('publishes, as docs/handler-protocol/*.schema.json, exactly the schemas racelab parses with', () => {
    // Given the zod definitions racelab parses every message with
    // When each is turned into JSON Schema
    // Then the published file is that schema (regenerate: see docs/handler-protocol.md)
    for (const name of NAMES) expect(published(name), name).toEqual(protocolJsonSchema(name))
  })

  it('every line of real traffic, requests and answers, follows a published schema', () => {
    // Given els_buffer.py behind a tee that logs every line it reads and writes
    const dir = mkdtempSync(join(tmpdir(), 'racelab-protocol-'))
    const log = join(dir, 'traffic.log')
    try {
      const handlerCmd = {command: `/usr/bin/python3 test/sim/consumer/consumers/tee.py ${log}`, timeoutMs: 5000}
      // When runs with early content, expiry, restarts and crashes over 3 instances go through it
      runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 1, handlerCmd})
      runSimulation({scenario: BUILTIN_SCENARIOS.get('never-registered')!, strategy: 'buffer', seed: 2, handlerCmd})
      for (const seed of [1, 2, 3]) runSimulation({scenario: BUILTIN_SCENARIOS.get('random')!, strategy: 'buffer', seed, faults, elsInstances: 3, handlerCmd})
      const lines = readFileSync(log, 'utf8').trim().split('\n')
      // Then each request matches one of racelab's schemas, each answer one of the process's
      const seen = new Set<string>()
      for (const line of lines) {
        const message = JSON.parse(line.slice(2)) as {type: string}
        const allowed = line.startsWith('> ') ? ['init', 'message', 'timer'] : ['ready', 'handled', 'error']
        expect(allowed, line).toContain(message.type)
        expect(schemaProblem(published(message.type), message), line).toBeUndefined()
        seen.add(message.type)
      }
      expect([...seen].sort()).toEqual(['handled', 'init', 'message', 'ready', 'timer'])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 60_000)

  it('the schema check is not vacuous: a malformed message fails it', () => {
    // Given a handled answer whose emitted event lacks its data, and a message without its envelope
    // When checked  // Then each has a problem
    expect(schemaProblem(published('handled'), {type: 'handled', emit: [{event_type: 'huleedu.els.batch.essays.ready.v1'}], next_timer_at: null})).toMatch(/no data/)
    expect(schemaProblem(published('message'), {type: 'message', topic: 't', partition: 0, offset: 0, now: 0})).toMatch(/no envelope/)
    expect(schemaProblem(published('handled'), {type: 'handled', emit: [], next_timer_at: 1.5})).toMatch(/anyOf/)
  })
})
