import {describe, expect, it} from 'vitest'

import {MAX_PUBLISH_RETRIES} from '../../../src/sim/outbox/outbox.js'
import {INJECTED_PUBLISH_ERROR} from '../../../src/sim/process/relay-loop.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec, type Fault} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type SimulationRun} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const fault = (text: string): Fault => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}
const run = (scenario: string, seed: number, faults: string[], strategy: 'buffer' | 'naive' = 'buffer'): SimulationRun =>
  runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy, seed, faults: faults.map(fault)})
const seeds = (count: number): number[] => Array.from({length: count}, (_, i) => i + 1)
type Crashed = Extract<TraceEvent, {ev: 'crashed'}>

describe('crash=bos,file: the client retries, and a repeat is answered, not written twice', () => {
  it('every batch and file is committed once, and the fix holds', () => {
    const crashes: Crashed[] = []
    for (const scenario of ['content-first', 'large-batch', 'validation-failure']) {
      for (const seed of seeds(15)) {
        // When
        const r = run(scenario, seed, ['crash=bos,file@30%'])
        crashes.push(...r.trace.filter((e): e is Crashed => e.ev === 'crashed'))

        // Then: one commit per batch and per file, whatever crashed
        expect(r.result.violations).toEqual([])
        const registered = r.trace.filter((e) => e.ev === 'batch-registered').map((e) => (e.ev === 'batch-registered' ? e.batch : ''))
        expect(new Set(registered).size).toBe(registered.length)
        const committed = r.trace.filter((e) => e.ev === 'file-committed').map((e) => (e.ev === 'file-committed' ? e.file : ''))
        expect(new Set(committed).size).toBe(committed.length)
        expect(r.result.batches.every((b) => b.ready === 1)).toBe(true)
      }
    }
    // Given (checked last): both services crashed at both points, and the File Service lost uploads mid-processing
    const kinds = new Set(crashes.map((c) => `${c.svc}:${c.point}`))
    expect([...kinds].sort()).toEqual(['bos:after-commit', 'bos:before-commit', 'file:after-commit', 'file:before-commit'])
    expect(crashes.some((c) => (c.interrupted?.length ?? 0) > 0)).toBe(true)
  })

  it('a crash after the commit makes the client send the same request again, and its answer is the committed row', () => {
    // Given: a run where BOS crashed after committing
    const r = seeds(40)
      .map((seed) => run('registration-first', seed, ['crash=bos@50%']))
      .find((x) => x.trace.some((e) => e.ev === 'crashed' && e.point === 'after-commit'))!
    expect(r).toBeDefined()

    // Then: one registration, one publish of it, the uploads started after the retry
    const crash = r.trace.find((e): e is Crashed => e.ev === 'crashed' && e.point === 'after-commit')!
    expect(r.trace.filter((e) => e.ev === 'batch-registered')).toHaveLength(1)
    const firstUpload = r.trace.find((e) => e.ev === 'upload-accepted')!
    expect(firstUpload.t).toBeGreaterThanOrEqual(crash.t + crash.restartIn)
    expect(r.result.verdict).toBe('pass')
  })
})

describe('crash of a relay: it restarts from its outbox alone', () => {
  it('holds for the fix at every relay crash point, and the rows all reach the broker', () => {
    const points = new Set<string>()
    for (const scenario of ['relay-delay', 'large-batch', 'random']) {
      for (const seed of seeds(15)) {
        const r = run(scenario, seed, ['crash=bos-relay,file-relay,els-relay@25%'])
        for (const e of r.trace) if (e.ev === 'relay-crashed' && e.point) points.add(`${e.svc.replace(/-relay$/, '')}:${e.point}`)
        expect(r.result.violations).toEqual([])
      }
    }
    for (const relay of ['bos', 'file', 'els']) {
      for (const point of ['after-poll', 'after-publish', 'after-mark']) expect(points).toContain(`${relay}:${point}`)
    }
  })

  it('the coordinated relay is the one relay of both producers: either name crashes it', () => {
    const r = seeds(10).map((seed) =>
      runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'relay-coordination', seed, faults: [fault('crash=bos-relay@30%')]}),
    )
    expect(r.some((x) => x.trace.some((e) => e.ev === 'relay-crashed' && e.svc === 'coordinated-relay'))).toBe(true)
    // Liveness included: a relay restarting after a poll waits its 2 s publish delay again, and
    // the bound, counted from when the crash healed, allows for it.
    for (const x of r) expect(x.result.violations).toEqual([])
  })
})

describe('publish-error: retries, retry_count, last_error and the 5-retry limit', () => {
  it('a row the broker always refuses is tried 5 times, given up on, traced and named by the checker', () => {
    // When
    const r = run('registration-first', 1, ['publish-error=bos@100%'])

    // Then
    const failed = r.trace.filter((e) => e.ev === 'publish-failed' && e.svc === 'bos-relay')
    expect(failed).toHaveLength(MAX_PUBLISH_RETRIES)
    expect(r.trace.filter((e) => e.ev === 'publish-given-up')).toEqual([
      {t: failed[failed.length - 1].t, svc: 'bos-relay', ev: 'publish-given-up', row: 1, attempts: 5, error: INJECTED_PUBLISH_ERROR},
    ])
    expect(r.result.stoppedBy).toBe('quiet')
    const drained = r.result.violations.find((v) => v.invariant === 'outbox-drained')!
    expect(drained.batchId).toBe('b1')
    expect(drained.detail).toBe(
      `bos outbox row 1 (huleedu.batch.essays.registered.v1) was never published: the relay gave up on it after 5 failed publishes (last_error: ${INJECTED_PUBLISH_ERROR})`,
    )
    expect(r.result.violations.map((v) => v.invariant)).toContain('ready-exactly-once')
  })

  it('at a lower chance rows are retried and published; a run fails exactly when a row ran out of retries, naming that row', () => {
    let retried = 0
    let abandonedRuns = 0
    for (const seed of seeds(60)) {
      // When
      const r = run('large-batch', seed, ['publish-error@50%'])

      // Then
      retried += r.trace.filter((e) => e.ev === 'publish-failed').length
      const abandoned = r.trace.flatMap((e) => (e.ev === 'publish-given-up' ? [`${e.svc.replace(/-relay$/, '')} outbox row ${e.row} `] : []))
      const named = r.result.violations.filter((v) => v.invariant === 'outbox-drained').map((v) => v.detail)
      expect(named.map((d) => d.slice(0, d.indexOf('('))).sort()).toEqual(abandoned.sort())
      for (const d of named) expect(d).toContain('gave up on it after 5 failed publishes')
      if (abandoned.length > 0) abandonedRuns++
      else expect(r.result.violations).toEqual([])
    }
    expect(retried).toBeGreaterThan(100)
    expect(abandonedRuns).toBeGreaterThan(0)
  })
})
