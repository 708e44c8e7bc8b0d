import {describe, expect, it} from 'vitest'

import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import type {DeliveryPlan} from '../../../src/sim/process/delivery-plan.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'
import {
  CheckThenActEls,
  DrainSeamEls,
  DroppedEarlyFailureEls,
  EventIdOnlyDedupEls,
  InMemoryBufferEls,
  makeEls,
  NeverExpiringEls,
  NonAtomicRegistrationEls,
  UnguardedCompletionEls,
} from './els-variants.js'

type Setting = Omit<RunOptions, 'seed' | 'strategy'>
type Handled = Extract<TraceEvent, {ev: 'handled'}>

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

const fault = (text: string) => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

const delay = (text: string) => {
  const parsed = parseDelaySpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

const seeds = (count: number): number[] => Array.from({length: count}, (_, i) => i + 1)

/** The runs of a setting over the seeds, with the real Els (buffer) or a variant. */
function runs(setting: Setting, seedList: number[], variant?: RunOptions['makeEls']): SimulationRun[] {
  return seedList.map((seed) => runSimulation({...setting, strategy: 'buffer', seed, makeEls: variant}))
}

const violated = (run: SimulationRun): Set<InvariantName> => new Set(run.result.violations.map((v) => v.invariant))
const caughtBy = (run: SimulationRun, invariant: InvariantName): boolean => violated(run).has(invariant)
const handled = (run: SimulationRun): Handled[] => run.trace.filter((e): e is Handled => e.ev === 'handled')
const failing = (all: SimulationRun[]): string[] =>
  all.filter((r) => r.result.verdict === 'fail').map((r) => `seed ${r.result.seed}: ${r.result.violations.map((v) => v.invariant).join(', ')}`)

describe('bug 1: the buffer kept in process memory', () => {
  const restarts: Setting = {scenario: scenario('content-first'), faults: [fault('els-restart@50%')]}
  const threeInstances: Setting = {scenario: scenario('content-first'), elsInstances: 3}

  it('is caught by no-lost-content and ready-exactly-once when the instance restarts (content-first, els-restart@50%)', () => {
    // Given / When
    const all = runs(restarts, seeds(20), makeEls(InMemoryBufferEls))

    // Then some seed restarts ELS between buffering and registration, and the checker sees it
    const caught = all.filter((r) => caughtBy(r, 'no-lost-content') && caughtBy(r, 'ready-exactly-once'))
    expect(caught.length).toBeGreaterThan(0)
    for (const run of caught) {
      const events = run.trace
      const buffered = events.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'buffered')
      const registered = events.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'registered')
      const restarted = events.findIndex((e, i) => i > buffered && e.ev === 'els-restarted')
      expect(buffered).toBeGreaterThanOrEqual(0)
      expect(restarted).toBeGreaterThan(buffered)
      expect(restarted).toBeLessThan(registered)
    }
  })

  it('is caught when the registration lands on another instance (content-first, 3 ELS instances)', () => {
    // Given / When
    const all = runs(threeInstances, seeds(10), makeEls(InMemoryBufferEls))

    // Then
    const caught = all.filter((r) => caughtBy(r, 'no-lost-content') && caughtBy(r, 'ready-exactly-once'))
    expect(caught.length).toBeGreaterThan(0)
    const run = caught[0]
    const bufferedBy = new Set(handled(run).filter((e) => e.outcome.kind === 'buffered').map((e) => e.svc))
    const registeredBy = handled(run).find((e) => e.outcome.kind === 'registered')?.svc
    expect(registeredBy).toBeDefined()
    expect([...bufferedBy].some((svc) => svc !== registeredBy)).toBe(true)
  })

  it('goes unnoticed with one instance that never restarts: only restarts and rebalances expose it', () => {
    // Given / When
    const all = runs({scenario: scenario('content-first')}, seeds(10), makeEls(InMemoryBufferEls))

    // Then
    expect(failing(all)).toEqual([])
  })

  it('the real Els, and the drain seam the variants build on, hold every invariant in both settings', () => {
    // Given / When
    const all = [
      ...runs(restarts, seeds(20)),
      ...runs(threeInstances, seeds(10)),
      ...runs(restarts, seeds(20), makeEls(DrainSeamEls)),
      ...runs(threeInstances, seeds(10), makeEls(DrainSeamEls)),
    ]

    // Then
    expect(failing(all)).toEqual([])
    expect(all.some((r) => r.trace.some((e) => e.ev === 'els-restarted'))).toBe(true)
  })
})

describe('bug 2: check-then-act across instances', () => {
  // Registration handling takes long enough that another instance buffers content meanwhile.
  const setting: Setting = {
    scenario: scenario('content-first'),
    elsInstances: 3,
    essays: 6,
    delays: [delay('els=200ms..500ms'), delay('file-processing=1s..3s')],
  }

  it('orphans content buffered after the registration read the pending list: caught by ready-exactly-once and no-false-excess', () => {
    // Given / When
    const all = runs(setting, seeds(30), makeEls(CheckThenActEls))

    // Then
    const caught = all.filter((r) => caughtBy(r, 'ready-exactly-once') && caughtBy(r, 'no-false-excess'))
    expect(caught.length).toBeGreaterThan(0)
    const run = caught[0]
    // the orphan was stored while the registration was being handled, by another instance
    const registration = handled(run).find((e) => e.outcome.kind === 'registered')!
    const orphans = run.trace.filter((e) => e.ev === 'expired')
    expect(orphans.length).toBeGreaterThan(0)
    const orphanBuffered = handled(run).filter(
      (e) => e.outcome.kind === 'buffered' && orphans.some((o) => o.ev === 'expired' && o.ref === (e.outcome as {ref: string}).ref),
    )
    expect(orphanBuffered.length).toBeGreaterThan(0)
    for (const event of orphanBuffered) {
      expect(event.t).toBeLessThanOrEqual(registration.t)
      expect(event.svc).not.toBe(registration.svc)
    }
    expect(run.result.violations.find((v) => v.invariant === 'no-false-excess')?.detail).toContain('BATCH_NEVER_REGISTERED')
  })

  it('is harmless with a single instance: nobody writes between the read and the drain', () => {
    // Given / When
    const all = runs({...setting, elsInstances: 1}, seeds(30), makeEls(CheckThenActEls))

    // Then
    expect(failing(all)).toEqual([])
  })

  it('the real Els and the drain seam hold every invariant in the same setting', () => {
    // Given / When
    const all = [...runs(setting, seeds(30)), ...runs(setting, seeds(30), makeEls(DrainSeamEls))]

    // Then
    expect(failing(all)).toEqual([])
  })
})

describe('bug 3: non-atomic registration', () => {
  const setting: Setting = {scenario: scenario('content-first'), faults: [fault('register-db-error@50%')]}

  it('leaves a tracker without slots when the registration fails midway: caught by ready-exactly-once and no-false-excess', () => {
    // Given / When
    const all = runs(setting, seeds(20), makeEls(NonAtomicRegistrationEls))

    // Then
    const caught = all.filter((r) => caughtBy(r, 'ready-exactly-once') && caughtBy(r, 'no-false-excess'))
    expect(caught.length).toBeGreaterThan(0)
    const run = caught[0]
    // the retry finds the half-done registration and does nothing: the batch is stuck
    const registration = handled(run).filter((e) => e.type === TOPICS.batchEssaysRegistered)
    expect(run.trace.some((e) => e.ev === 'handle-failed' && e.type === TOPICS.batchEssaysRegistered)).toBe(true)
    expect(registration.map((e) => e.outcome.kind)).toEqual(['duplicate'])
    expect(run.result.batches[0]).toMatchObject({assigned: 0, ready: 0})
  })

  it('the real Els rolls the registration back whole and the retry succeeds: every invariant holds', () => {
    // Given / When
    const all = runs(setting, seeds(20))

    // Then
    expect(failing(all)).toEqual([])
    expect(all.some((r) => r.trace.some((e) => e.ev === 'handle-failed'))).toBe(true)
  })
})

describe('bug 4: pending rows never expire', () => {
  /** A delivery plan under which the batch's registration never reaches ELS. */
  const withholdRegistrations = (): DeliveryPlan => ({
    choose: (ready) => {
      const index = ready.findIndex((m) => m.topic !== TOPICS.batchEssaysRegistered)
      return index < 0 ? 'wait' : index
    },
    delivered: () => {},
  })
  const setting = (): Setting => ({scenario: scenario('content-first'), plan: withholdRegistrations(), delays: [delay('pending-timeout=5s')]})
  const aboutPending = (run: SimulationRun) =>
    run.result.violations.filter((v) => v.invariant === 'no-lost-content' && v.detail.includes('pending_content'))

  it('leaves content buffered forever and nobody is told: caught by no-lost-content', () => {
    // Given / When
    const all = seeds(3).map((seed) => runSimulation({...setting(), strategy: 'buffer', seed, makeEls: makeEls(NeverExpiringEls)}))

    // Then
    for (const run of all) {
      expect(aboutPending(run)).toHaveLength(1)
      expect(aboutPending(run)[0].events).toHaveLength(2)
      expect(run.trace.some((e) => e.ev === 'expired')).toBe(false)
      expect(run.result.stoppedBy).toBe('quiet')
    }
  })

  it('the real Els expires the content after the timeout and reports it, so no content is lost', () => {
    // Given / When
    const all = seeds(3).map((seed) => runSimulation({...setting(), strategy: 'buffer', seed}))

    // Then nothing is left pending or dropped; the rest is the never-delivered registration's due
    for (const run of all) {
      expect(aboutPending(run)).toEqual([])
      const lost = run.result.violations.filter((v) => v.invariant === 'no-lost-content')
      expect(lost.every((v) => !v.detail.includes('silently dropped'))).toBe(true)
      const expired = run.trace.filter((e) => e.ev === 'expired')
      expect(expired).toHaveLength(2)
      expect(run.result.batches[0]).toMatchObject({excess: 2, ready: 0})
      expect(run.result.metrics?.expired).toBe(2)
    }
  })
})

describe('bug 5: duplicate completion', () => {
  const setting: Setting = {scenario: scenario('registration-first'), faults: [fault('relay-crash-after-publish=file@50%')]}

  it('completes the batch again when a re-sent content (new event_id) arrives after completion: caught by ready-exactly-once', () => {
    // Given / When
    const all = runs(setting, seeds(20), makeEls(UnguardedCompletionEls))

    // Then
    const caught = all.filter((r) => caughtBy(r, 'ready-exactly-once'))
    expect(caught.length).toBeGreaterThan(0)
    const run = caught[0]
    expect(run.result.batches[0].ready).toBeGreaterThan(1)
    expect(run.result.violations.find((v) => v.invariant === 'ready-exactly-once')?.detail).toMatch(/became ready \d+ times/)
  })

  it('the real Els completes once despite the re-sends', () => {
    // Given / When
    const all = runs(setting, seeds(20))

    // Then
    expect(failing(all)).toEqual([])
    expect(all.some((r) => r.trace.some((e) => e.ev === 'relay-crashed'))).toBe(true)
  })
})

describe('bug 6: deduplication by event_id only', () => {
  const setting: Setting = {scenario: scenario('registration-first'), faults: [fault('relay-crash-after-publish=file@50%')]}

  it('assigns a re-sent content to a second slot: caught by no-double-assignment and no-false-excess', () => {
    // Given / When
    const all = runs(setting, seeds(20), makeEls(EventIdOnlyDedupEls))

    // Then
    expect(all.some((r) => caughtBy(r, 'no-double-assignment'))).toBe(true)
    expect(all.some((r) => caughtBy(r, 'no-false-excess'))).toBe(true)
    const run = all.find((r) => caughtBy(r, 'no-double-assignment'))!
    expect(run.result.violations.find((v) => v.invariant === 'no-double-assignment')?.detail).toMatch(/fills 2 slots/)
  })

  it('the real Els recognises the re-send by (batch, text_storage_id)', () => {
    // Given / When
    const all = runs(setting, seeds(20))

    // Then
    expect(failing(all)).toEqual([])
    expect(all.some((r) => handled(r).some((e) => e.outcome.kind === 'duplicate' && e.outcome.why.includes('already fills')))).toBe(true)
  })
})

describe('bug 7: early validation failures dropped', () => {
  const setting: Setting = {scenario: scenario('validation-failure')}

  it('never completes a batch whose invalid file arrived first: caught by no-lost-content and ready-exactly-once', () => {
    // Given / When
    const all = runs(setting, seeds(10), makeEls(DroppedEarlyFailureEls))

    // Then every seed is caught (the scenario always delivers the failure first)
    for (const run of all) {
      expect(caughtBy(run, 'no-lost-content')).toBe(true)
      expect(caughtBy(run, 'ready-exactly-once')).toBe(true)
      expect(handled(run).some((e) => e.outcome.kind === 'failure-lost')).toBe(true)
    }
  })

  it('the real Els buffers the failure and counts it at registration', () => {
    // Given / When
    const all = runs(setting, seeds(10))

    // Then
    expect(failing(all)).toEqual([])
    for (const run of all) expect(run.result.batches[0]).toMatchObject({assigned: 1, failed: 1, ready: 1})
  })
})
