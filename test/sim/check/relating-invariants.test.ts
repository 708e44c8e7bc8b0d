import {describe, expect, it} from 'vitest'

import {check} from '../../../src/sim/check/checker.js'
import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {ObservationBuilder} from './observation-builder.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type RunOptions, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import {makeEls} from './els-variants.js'
import {AnyBatchSlotEls, DoubleReadyEls, ExcessCountedAsAssignedEls, MalformedReadyEls, ReadyFirstEls, ReadyAtRegistrationEls, RecountedFailureEls} from './relating-variants.js'

const run = (scenario: string, seed: number, variant?: RunOptions['makeEls'], faults: RunOptions['faults'] = [], batches?: number): SimulationRun =>
  runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy: 'buffer', seed, makeEls: variant, faults, batches})
const violated = (r: SimulationRun): InvariantName[] => r.result.violations.map((v) => v.invariant)
const seeds = Array.from({length: 10}, (_, i) => i + 1)

describe('ready-when-complete', () => {
  it('catches a Ready written at registration, before any content: the count of Readies is right, the Ready is not', () => {
    for (const seed of seeds) {
      // When
      const r = run('registration-first', seed, makeEls(ReadyAtRegistrationEls))

      // Then: exactly one Ready, so the counting invariant is satisfied, and the relating one is not
      expect(violated(r)).not.toContain('ready-exactly-once')
      expect(violated(r)).toContain('ready-when-complete')
      const detail = r.result.violations.find((v) => v.invariant === 'ready-when-complete')!.detail
      expect(detail).toContain('BatchEssaysReady b1 written with 0 of 2 slots filled and 0 counted failed')
      expect(detail).toContain('leaves out 2 assigned essays')
    }
  })

  it('holds on the buffer fix in every scenario', () => {
    for (const scenario of BUILTIN_SCENARIOS.keys()) {
      for (const seed of seeds.slice(0, 3)) expect(violated(run(scenario, seed))).not.toContain('ready-when-complete')
    }
  })
})

describe('failures-counted-once', () => {
  it('catches a failure counted twice, which completes the batch early: the valid content that follows finds no slot', () => {
    for (const seed of seeds) {
      // When: one of 2 files fails validation and ELS counts it twice
      const r = run('validation-failure', seed, makeEls(RecountedFailureEls))

      // Then
      expect(violated(r)).toContain('failures-counted-once')
      expect(violated(r)).not.toContain('ready-exactly-once')
      // A failed slot is held (docs/domain.md#the-consumer): with two counted, the content is excess
      expect(violated(r)).toContain('no-false-excess')
      expect(r.result.violations.find((v) => v.invariant === 'failures-counted-once')!.detail).toBe(
        "ELS counted 2 failed slots, but only 1 of the batch's uploads failed validation",
      )
    }
  })

  it('holds on the buffer fix, also with every failure re-sent by crashing relays', () => {
    const resend = parseFaultSpec('relay-crash-after-publish=file@50%')
    if (!resend.ok) throw new Error(resend.error)
    const runs = seeds.map((seed) => run('validation-failure', seed, undefined, [resend.value]))
    // Given: the relays really re-sent failures in some of these runs
    expect(runs.some((r) => r.trace.some((e) => e.ev === 'relay-crashed'))).toBe(true)
    // Then
    for (const r of runs) expect(violated(r)).toEqual([])
  })
})

describe('slots-belong-to-batch', () => {
  it("catches content filling another batch's slot", () => {
    // When: two batches, and a consumer that takes the newest free slot of any batch
    const all = seeds.map((seed) => run('registration-first', seed, makeEls(AnyBatchSlotEls), [], 2))

    // Then: wherever a slot went to the wrong batch, the invariant names both
    const caught = all.filter((r) => violated(r).includes('slots-belong-to-batch'))
    expect(caught.length).toBeGreaterThan(0)
    for (const r of caught) {
      expect(r.result.violations.find((v) => v.invariant === 'slots-belong-to-batch')!.detail).toMatch(/EssaySlotAssigned b\d-e\d of batch b\d: slot b\d-e\d belongs to batch b\d/)
    }
  })

  it('holds on the buffer fix with several batches and every fault', () => {
    const faults = ['relay-crash-after-publish=bos,file,els', 'consumer-crash-before-commit', 'els-restart', 'register-db-error', 'broker-unavailable=1s..2s'].map((text) => {
      const parsed = parseFaultSpec(text)
      if (!parsed.ok) throw new Error(parsed.error)
      return parsed.value
    })
    for (const seed of seeds) {
      // When
      const found = violated(run('random', seed, undefined, faults, 3))
      // Then: every invariant holds, the relating ones and liveness's bound under relay crashes too
      expect(found).toEqual([])
    }
  })
})

describe('messages-parse', () => {
  it('names a malformed output message instead of dropping it', () => {
    // When
    const r = run('registration-first', 1, makeEls(MalformedReadyEls))

    // Then
    const violation = r.result.violations.find((v) => v.invariant === 'messages-parse')
    expect(violation?.batchId).toBe('b1')
    expect(violation?.detail).toMatch(/^the message at huleedu\.els\.batch\.essays\.ready\.v1 p\d@0 is not a valid envelope: data\.ready_essays/)
  })

  it('holds on the buffer fix', () => {
    for (const scenario of BUILTIN_SCENARIOS.keys()) expect(violated(run(scenario, 1))).not.toContain('messages-parse')
  })
})

describe('copies are told apart by the outbox row they were published from', () => {
  it('two BatchEssaysReady rows written in one transaction are two events: ready-exactly-once catches them', () => {
    // When
    const r = run('registration-first', 1, makeEls(DoubleReadyEls))

    // Then
    const violation = r.result.violations.find((v) => v.invariant === 'ready-exactly-once')
    expect(violation?.detail).toMatch(/^became ready 2 times/)
  })

  it('a relay re-send of one row is one event: the buffer fix under relay crashes holds ready-exactly-once', () => {
    const resend = parseFaultSpec('relay-crash-after-publish=els@50%')
    if (!resend.ok) throw new Error(resend.error)
    const runs = seeds.map((seed) => run('registration-first', seed, undefined, [resend.value]))
    // Given: ELS's relay really re-sent rows, the Ready among them in some run
    expect(runs.some((r) => r.trace.filter((e) => e.ev === 'published' && e.type === 'huleedu.els.batch.essays.ready.v1').length > 1)).toBe(true)
    // Then
    for (const r of runs) expect(violated(r)).not.toContain('ready-exactly-once')
  })
})

describe('ready-after-assignments', () => {
  it('catches assignments committed after the Ready that lists them', () => {
    for (const scenario of ['registration-first', 'content-first']) {
      // When
      const r = run(scenario, 1, makeEls(ReadyFirstEls))

      // Then: the Ready is true (it lists both), but it left ELS before the assignment that completed it
      expect(violated(r)).not.toContain('ready-when-complete')
      expect(r.result.violations.find((v) => v.invariant === 'ready-after-assignments')?.detail).toMatch(/^EssaySlotAssigned b1-e\d+(, b1-e\d+)? committed after BatchEssaysReady b1/)
    }
  })

  it('holds on the buffer fix', () => {
    for (const scenario of BUILTIN_SCENARIOS.keys()) expect(violated(run(scenario, 2))).not.toContain('ready-after-assignments')
  })
})

describe('relay-commit-order', () => {
  const registered = (rows: string[]) => {
    // Given two registrations of BOS on one partition, published with the rows named
    const builder = new ObservationBuilder().batch('b1', 1).batch('b2', 1)
    builder.registered('b1', ['b1-e1'])
    builder.registered('b2', ['b2-e1'])
    const obs = builder.build()
    obs.messages.forEach((m, i) => (m.row = rows[i]))
    return check(obs).filter((v) => v.invariant === 'relay-commit-order')
  }

  it('catches a row that overtook an older row of the same service on the same partition', () => {
    expect(registered(['bos:2', 'bos:1']).map((v) => v.detail)).toEqual([
      'bos outbox row 1 reached huleedu.batch.essays.registered.v1 p0 after row 2, which was committed later',
    ])
  })

  it('accepts commit order, a re-send repeating an older row, and producers that name no rows', () => {
    expect(registered(['bos:1', 'bos:2'])).toEqual([])
    expect(registered(['bos:1', 'bos:1'])).toEqual([])
    expect(registered([undefined as never, undefined as never])).toEqual([])
  })
})

describe('metrics-agree', () => {
  const faults = ['relay-crash-after-publish', 'consumer-crash-before-commit', 'els-restart', 'register-db-error'].map((f) => {
    const parsed = parseFaultSpec(f)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.value
  })

  it('catches excess a drain found counted as assigned, naming both figures', () => {
    // Given true excess that arrives before its registration: one file too many, the BOS relay 2 s late
    const late = parseDelaySpec('bos-relay=2s')
    if (!late.ok) throw new Error(late.error)
    const runs = seeds.map((seed) =>
      runSimulation({scenario: BUILTIN_SCENARIOS.get('true-excess')!, strategy: 'buffer', seed, delays: [late.value], makeEls: makeEls(ExcessCountedAsAssignedEls)}),
    )

    // When
    const caught = runs.filter((r) => violated(r).includes('metrics-agree'))

    // Then
    expect(caught.length).toBe(runs.length)
    for (const r of caught) {
      expect(r.result.metrics?.reconciled.excess).toBe(0)
      expect(r.result.violations.find((v) => v.invariant === 'metrics-agree')!.detail).toMatch(
        /^ELS's metrics disagree with what it did: reconciled\.assigned \d+, the trace says \d+; reconciled\.excess 0, the trace says [1-9]\d*$/,
      )
    }
  })

  it('holds on the buffer fix in every scenario, with every fault and three instances whose metrics restart', () => {
    for (const scenario of BUILTIN_SCENARIOS.keys()) {
      for (const seed of seeds) {
        const r = runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy: 'buffer', seed, faults, batches: 2, elsInstances: 3})
        expect(violated(r)).not.toContain('metrics-agree')
      }
    }
  })
})

describe('liveness: a run that never became quiet has not converged', () => {
  it('fails liveness when the step limit cuts the run off, even though every other invariant holds so far', () => {
    // When: the buffer fix, stopped after 10 kernel steps
    const r = runSimulation({scenario: BUILTIN_SCENARIOS.get('registration-first')!, strategy: 'buffer', seed: 1, maxSteps: 10})

    // Then
    expect(r.result.stoppedBy).toBe('step-limit')
    expect(r.result.verdict).toBe('fail')
    expect(r.result.violations.find((v) => v.invariant === 'liveness')?.detail).toMatch(/^the run never became quiet: it was cut off by the step limit/)
  })

  it('says nothing of the kind for a run that became quiet', () => {
    const r = run('registration-first', 1)
    expect(r.result.stoppedBy).toBe('quiet')
    expect(violated(r)).toEqual([])
  })
})
