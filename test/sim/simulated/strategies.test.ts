import {describe, expect, it} from 'vitest'

import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

const delay = (text: string) => {
  const parsed = parseDelaySpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

const SEEDS = Array.from({length: 50}, (_, i) => i + 1)

type Published = Extract<TraceEvent, {ev: 'published'}>

const run = (name: string, strategy: Strategy, seed: number, extra: Partial<RunOptions> = {}): SimulationRun =>
  runSimulation({scenario: scenario(name), strategy, seed, ...extra})

/** BOS's and the File Service's publishes, in the order the broker appended them. */
function producerPublishes(trace: readonly TraceEvent[]): Published[] {
  return trace.filter((e): e is Published => e.ev === 'published' && e.svc !== 'els-relay')
}

/** The scenarios with relay skew: BOS's relay lags the File Service's. */
const SKEWED = ['content-first', 'relay-delay']

describe('partition-key alone does not close the race under relay skew', () => {
  it.each(SKEWED)('%s: fails on every seed with ready-exactly-once and no-false-excess', (name) => {
    // Given / When
    const results = SEEDS.map((seed) => run(name, 'partition-key', seed).result)

    // Then
    for (const result of results) {
      const invariants = new Set(result.violations.map((v) => v.invariant))
      expect(invariants.has('ready-exactly-once')).toBe(true)
      expect(invariants.has('no-false-excess')).toBe(true)
    }
  })

  it('keys both producers by batch id onto one partition; the relays still append the content first', () => {
    // Given / When
    const {trace} = run('relay-delay', 'partition-key', 1)

    // Then
    const published = producerPublishes(trace)
    expect(published.length).toBe(3)
    expect(new Set(published.map((p) => p.key))).toEqual(new Set(['b1']))
    expect(new Set(published.map((p) => p.partition)).size).toBe(1)
    const registration = published.find((p) => p.type === TOPICS.batchEssaysRegistered)!
    const contents = published.filter((p) => p.type === TOPICS.essayContentProvisioned)
    expect(contents.every((c) => c.offset < registration.offset)).toBe(true)
  })
})

describe('relay-coordination closes the race; naive does not', () => {
  const CASES = [...SKEWED, 'partial', 'validation-failure', 'random']

  it.each(CASES)('%s: relay-coordination holds every invariant on every seed', (name) => {
    // Given / When
    const failing = SEEDS.map((seed) => run(name, 'relay-coordination', seed).result).filter((r) => r.verdict === 'fail')

    // Then
    expect(failing.map((r) => `seed ${r.seed}: ${r.violations.map((v) => v.invariant).join(', ')}`)).toEqual([])
  })

  it.each(SKEWED)('%s: naive fails on every seed', (name) => {
    // Given / When
    const results = SEEDS.map((seed) => run(name, 'naive', seed).result)

    // Then
    expect(results.every((r) => r.violations.some((v) => v.invariant === 'ready-exactly-once'))).toBe(true)
  })

  it('publishes in global commit order: the registration is appended before its contents, on the same partition', () => {
    // Given / When
    const {trace} = run('relay-delay', 'relay-coordination', 1)

    // Then
    const published = producerPublishes(trace)
    expect(new Set(published.map((p) => p.svc))).toEqual(new Set(['coordinated-relay']))
    expect(published[0].type).toBe(TOPICS.batchEssaysRegistered)
    expect(new Set(published.map((p) => p.partition)).size).toBe(1)
    const offsets = published.map((p) => p.offset)
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
  })
})

describe('the throughput price of relay-coordination', () => {
  // One relay publishes both outboxes and waits for every ack in turn: with a broker that takes
  // 50 ms per ack, 20 batches take longer end to end than with one relay per service.
  const manyBatches: Partial<RunOptions> = {batches: 20, delays: [delay('kafka=50ms')]}

  it('takes longer in simulated time than buffer for 20 batches with relay skew and 50 ms acks', () => {
    // Given / When
    const pairs = [1, 2, 3, 4, 5].map((seed) => ({
      buffer: run('relay-delay', 'buffer', seed, manyBatches).result,
      coordinated: run('relay-delay', 'relay-coordination', seed, manyBatches).result,
    }))

    // Then both hold every invariant, and coordination is slower on every seed
    for (const {buffer, coordinated} of pairs) {
      expect(buffer.verdict).toBe('pass')
      expect(coordinated.verdict).toBe('pass')
      expect(coordinated.simulatedSeconds).toBeGreaterThan(buffer.simulatedSeconds)
    }
  })
})
