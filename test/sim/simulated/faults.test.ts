import {describe, expect, it} from 'vitest'

import {TOPICS} from '../../../src/sim/domain/topics.js'
import {SECOND} from '../../../src/sim/kernel/time.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec, type Fault} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

const fault = (text: string): Fault => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

/** Every fault of issue 3 at once, at their default chances, with a 2-second broker outage. */
const EVERY_FAULT: Fault[] = [
  'relay-crash-after-publish',
  'consumer-crash-before-commit',
  'els-restart',
  'register-db-error',
  'broker-unavailable=1s..3s',
].map(fault)

const seeds = (from: number, count: number): number[] => Array.from({length: count}, (_, i) => from + i)

type Published = Extract<TraceEvent, {ev: 'published'}>
type Handled = Extract<TraceEvent, {ev: 'handled'}>

/** Runs buffer with every fault and three ELS instances; failures as readable lines, fault counts summed. */
function everyFault(name: string, seedList: number[]) {
  const failures: string[] = []
  const fired = new Map<string, number>()
  for (const seed of seedList) {
    const {result, trace} = runSimulation({scenario: scenario(name), strategy: 'buffer', seed, faults: EVERY_FAULT, elsInstances: 3})
    if (result.verdict === 'fail') {
      failures.push(`${name} seed ${seed}: ${result.violations.map((v) => `${v.invariant} (${v.batchId}: ${v.detail})`).join('; ')}`)
    }
    for (const event of trace) fired.set(event.ev, (fired.get(event.ev) ?? 0) + 1)
  }
  return {failures, fired}
}

describe('buffer with every fault enabled together and 3 ELS instances', () => {
  it('holds every invariant over 1,000 seeds of random, and every fault really fired', () => {
    // Given / When
    const {failures, fired} = everyFault('random', seeds(1, 1000))

    // Then
    expect(failures).toEqual([])
    for (const ev of ['relay-crashed', 'els-crashed', 'els-restarted', 'els-rejoined', 'handle-failed', 'publish-failed']) {
      expect(fired.get(ev) ?? 0, ev).toBeGreaterThan(100)
    }
    // a commit from before a rebalance was rejected: partitions moved while a message was handled
    expect(fired.get('commit-rejected') ?? 0).toBeGreaterThan(0)
  })

  it.each(['content-first', 'partial', 'validation-failure'])('holds every invariant over 300 seeds of %s', (name) => {
    // Given / When
    const {failures, fired} = everyFault(name, seeds(1, 300))

    // Then
    expect(failures).toEqual([])
    expect(fired.get('relay-crashed') ?? 0).toBeGreaterThan(0)
    expect(fired.get('els-crashed') ?? 0).toBeGreaterThan(0)
  })

  it('naive still fails under the same faults: the harness keeps reproducing the race', () => {
    // Given / When
    const results = seeds(1, 20).map(
      (seed) => runSimulation({scenario: scenario('content-first'), strategy: 'naive', seed, faults: EVERY_FAULT, elsInstances: 3}).result,
    )

    // Then
    expect(results.every((r) => r.violations.some((v) => v.invariant === 'ready-exactly-once'))).toBe(true)
  })
})

describe('each fault does what it says', () => {
  const run = (name: string, faults: Fault[], seed: number, extra: Partial<RunOptions> = {}): SimulationRun =>
    runSimulation({scenario: scenario(name), strategy: 'buffer', seed, faults, ...extra})

  it('relay-crash-after-publish: the row is published again with a new event_id, and ELS uses it once', () => {
    // Given / When
    const runs = seeds(1, 10).map((seed) => run('registration-first', [fault('relay-crash-after-publish=file@50%')], seed))

    // Then
    const resent = runs.filter((r) => r.trace.some((e) => e.ev === 'relay-crashed'))
    expect(resent.length).toBeGreaterThan(0)
    for (const {trace, result} of resent) {
      const crashed = trace.find((e): e is Extract<TraceEvent, {ev: 'relay-crashed'}> => e.ev === 'relay-crashed')!
      const copies = trace.filter((e): e is Published => e.ev === 'published' && e.svc === crashed.svc && e.row === crashed.row)
      expect(copies.length).toBeGreaterThan(1)
      expect(new Set(copies.map((c) => c.eventId)).size).toBe(copies.length)
      expect(result.verdict).toBe('pass')
      expect(result.batches[0]).toMatchObject({assigned: 2, ready: 1})
    }
  })

  it('relay-crash-after-publish=bos only crashes the BOS relay', () => {
    // Given / When
    const trace = seeds(1, 10).flatMap((seed) => run('registration-first', [fault('relay-crash-after-publish=bos@50%')], seed).trace)

    // Then
    const crashes = trace.filter((e) => e.ev === 'relay-crashed')
    expect(crashes.length).toBeGreaterThan(0)
    expect(new Set(crashes.map((e) => e.svc))).toEqual(new Set(['bos-relay']))
  })

  it('consumer-crash-before-commit: the handled message is redelivered and recognised as a duplicate', () => {
    // Given / When: the first of seeds 1..20 where the crash fires
    const crashesOf = (t: TraceEvent[]) => t.filter((e): e is Extract<TraceEvent, {ev: 'els-crashed'}> => e.ev === 'els-crashed')
    const runs = Array.from({length: 20}, (_, i) => run('registration-first', [fault('consumer-crash-before-commit@30%')], i + 1))
    const {trace, result} = runs.find((r) => crashesOf(r.trace).length > 0) ?? runs[0]

    // Then
    const crashed = crashesOf(trace)
    expect(crashed.length).toBeGreaterThan(0)
    const handled = trace.filter((e): e is Handled => e.ev === 'handled')
    for (const crash of crashed) {
      const again = handled.filter((e) => e.partition === crash.partition && e.offset === crash.offset && e.t > crash.t)
      expect(again.length).toBeGreaterThan(0)
      expect(again[0].outcome.kind === 'duplicate' || again[0].outcome.kind === 'already-registered').toBe(true)
    }
    expect(result.verdict).toBe('pass')
  })

  it('els-restart: the instance leaves, rejoins after its restart time, and nothing is lost', () => {
    // Given / When
    const {trace, result} = run('content-first', [fault('els-restart@50%')], 2)

    // Then
    const restarts = trace.filter((e) => e.ev === 'els-restarted')
    const rejoins = trace.filter((e) => e.ev === 'els-rejoined')
    expect(restarts.length).toBeGreaterThan(0)
    expect(rejoins).toHaveLength(restarts.length)
    expect(result.verdict).toBe('pass')
  })

  it('register-db-error: the registration rolls back whole and the retry registers the batch', () => {
    // Given / When
    const {trace, result} = run('content-first', [fault('register-db-error@50%')], 1)

    // Then
    const failed = trace.filter((e) => e.ev === 'handle-failed')
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.every((e) => e.ev === 'handle-failed' && e.type === TOPICS.batchEssaysRegistered)).toBe(true)
    const registered = trace.filter((e): e is Handled => e.ev === 'handled' && e.type === TOPICS.batchEssaysRegistered)
    expect(registered.map((e) => e.outcome.kind)).toEqual(['registered'])
    expect(registered[0].outcome).toMatchObject({slots: 2, drained: 2})
    expect(result.verdict).toBe('pass')
  })

  it('broker-unavailable=1s..3s: nothing is published inside the window, relays retry, nothing is lost', () => {
    // Given / When
    const runs = seeds(1, 5).map((seed) => run('content-first', [fault('broker-unavailable=1s..3s')], seed))

    // Then
    for (const {trace, result} of runs) {
      const published = trace.filter((e) => e.ev === 'published')
      expect(published.every((e) => e.t < 1 * SECOND || e.t >= 3 * SECOND)).toBe(true)
      expect(trace.filter((e) => e.ev === 'publish-failed').every((e) => e.t >= 1 * SECOND && e.t < 3 * SECOND)).toBe(true)
      expect(trace.some((e) => e.ev === 'publish-failed')).toBe(true)
      expect(result.verdict).toBe('pass')
    }
  })

  it('--els-instances 3: partitions move between instances while batches are in flight, and buffer holds', () => {
    // Given / When
    const runs = seeds(1, 20).map((seed) => run('random', [fault('els-restart@20%')], seed, {elsInstances: 3, batches: 3}))

    // Then
    const instances = new Set(runs.flatMap((r) => r.trace.filter((e) => e.ev === 'handled').map((e) => e.svc)))
    expect(instances).toEqual(new Set(['els-1', 'els-2', 'els-3']))
    expect(runs.some((r) => r.trace.some((e) => e.ev === 'commit-rejected' || e.ev === 'els-rejoined'))).toBe(true)
    expect(runs.filter((r) => r.result.verdict === 'fail').map((r) => r.result.seed)).toEqual([])
  })
})
