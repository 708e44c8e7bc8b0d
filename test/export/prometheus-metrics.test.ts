import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {prometheusMetrics} from '../../src/export/prometheus-metrics.js'
import {TOPICS} from '../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../src/sim/scenario/fault-spec.js'
import {runSimulation, type SimulationRun} from '../../src/sim/simulated/run-simulation.js'
import {parsePrometheusText, valueOf} from './prometheus-text.js'
import {simulate, subjectOf} from './run-for-export.js'

const metricsOf = (run: SimulationRun) => parsePrometheusText(prometheusMetrics(run.trace, run.result.metrics!, subjectOf(run)))
const count = (run: SimulationRun, pick: (e: SimulationRun['trace'][number]) => boolean) => run.trace.filter(pick).length

describe('prometheusMetrics', () => {
  it('parses as Prometheus text, and its ELS counters equal what the trace shows (content-first under buffer)', () => {
    // Given
    const run = simulate('content-first', 'buffer')

    // When
    const m = metricsOf(run)

    // Then
    const buffered = count(run, (e) => e.ev === 'handled' && e.outcome.kind === 'buffered')
    expect(buffered).toBe(2)
    expect(valueOf(m, 'racelab_els_pending_stored_total', 'racelab_els_pending_stored_total')).toBe(buffered)
    const drainedAssigned = run.trace
      .filter((e) => e.ev === 'handled' && e.outcome.kind === 'registered')
      .reduce((sum, e) => sum + (e.ev === 'handled' ? e.emitted.filter((t) => t === TOPICS.essaySlotAssigned).length : 0), 0)
    expect(valueOf(m, 'racelab_els_pending_reconciled_total', 'racelab_els_pending_reconciled_total', {outcome: 'assigned'})).toBe(drainedAssigned)
    expect(valueOf(m, 'racelab_els_pending_reconciled_total', 'racelab_els_pending_reconciled_total', {outcome: 'excess'})).toBe(0)
    expect(valueOf(m, 'racelab_els_pending_expired_total', 'racelab_els_pending_expired_total')).toBe(count(run, (e) => e.ev === 'expired'))
    // The age histogram holds each drained event once, and its oldest is ELS's own maxPendingAge.
    expect(valueOf(m, 'racelab_els_pending_age_seconds', 'racelab_els_pending_age_seconds_count')).toBe(buffered)
    const maxAge = run.result.metrics!.maxPendingAge / 1e6
    const buckets = m.get('racelab_els_pending_age_seconds')!.samples.filter((s) => s.name.endsWith('_bucket'))
    const firstFull = buckets.find((b) => b.value === buffered)!
    const before = buckets[buckets.indexOf(firstFull) - 1]
    expect(Number(firstFull.labels.le)).toBeGreaterThanOrEqual(maxAge)
    expect(Number(before.labels.le)).toBeLessThan(maxAge)
  })

  it('counts each relay’s publishes and retries as the trace shows, and the publish lag of every row', () => {
    // Given: the broker refuses some of the File Service relay's publishes
    const run = simulate('large-batch', 'buffer', {faults: ['publish-error=file@30%'], seed: 2})
    const failures = count(run, (e) => e.ev === 'publish-failed' && e.svc === 'file-relay')
    expect(failures).toBeGreaterThan(0)

    // When
    const m = metricsOf(run)

    // Then
    for (const relay of ['bos-relay', 'file-relay', 'els-relay']) {
      expect(valueOf(m, 'racelab_relay_published_total', 'racelab_relay_published_total', {relay})).toBe(count(run, (e) => e.ev === 'published' && e.svc === relay))
    }
    expect(valueOf(m, 'racelab_relay_publish_retries_total', 'racelab_relay_publish_retries_total', {relay: 'file-relay'})).toBe(failures)
    const files = count(run, (e) => e.ev === 'file-committed')
    expect(valueOf(m, 'racelab_relay_publish_lag_seconds', 'racelab_relay_publish_lag_seconds_count', {service: 'file'})).toBe(files)
    expect(valueOf(m, 'racelab_relay_publish_lag_seconds', 'racelab_relay_publish_lag_seconds_count', {service: 'bos'})).toBe(1)
  })

  it('its outbox depth is what the databases hold unpublished at the end, rows given up on included', () => {
    // Given: every publish of the File Service's rows fails, so they stay in its outbox
    const dir = mkdtempSync(join(tmpdir(), 'racelab-metrics-'))
    const fault = parseFaultSpec('publish-error=file@100%')
    if (!fault.ok) throw new Error(fault.error)
    const run = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 1, faults: [fault.value], dbDir: dir})

    // When
    const m = metricsOf(run)

    // Then
    for (const service of ['bos', 'file', 'els']) {
      const db = new Database(join(dir, `${service}.sqlite`), {readonly: true})
      const {n} = db.prepare('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL').get() as {n: number}
      db.close()
      expect(valueOf(m, 'racelab_outbox_depth', 'racelab_outbox_depth', {service}), service).toBe(n)
    }
    expect(valueOf(m, 'racelab_outbox_depth', 'racelab_outbox_depth', {service: 'file'})).toBe(2)
    expect(valueOf(m, 'racelab_relay_publish_abandoned_total', 'racelab_relay_publish_abandoned_total', {relay: 'file-relay'})).toBe(2)
  })
})

describe('prometheusMetrics of a consumer that is not racelab’s ELS', () => {
  it('writes why its buffer metrics are missing instead of zeros, and dead letters only when racelab’s consumer wrote them', () => {
    // Given
    const run = simulate('content-first', 'buffer')

    // When
    const external = prometheusMetrics(run.trace, {why: 'ELS runs elsewhere', deadLetters: 'unknown'}, subjectOf(run))
    const handler = prometheusMetrics(run.trace, {why: 'a handler', deadLetters: 'from-trace'}, subjectOf(run))

    // Then
    for (const text of [external, handler]) expect([...parsePrometheusText(text).keys()].filter((name) => name.startsWith('racelab_els_pending'))).toEqual([])
    expect(external).toContain('# no racelab_els_pending_* metrics: ELS runs elsewhere\n')
    expect(parsePrometheusText(external).has('racelab_els_dead_letters_total')).toBe(false)
    expect(valueOf(parsePrometheusText(handler), 'racelab_els_dead_letters_total', 'racelab_els_dead_letters_total')).toBe(0)
    expect(valueOf(parsePrometheusText(external), 'racelab_relay_published_total', 'racelab_relay_published_total', {relay: 'file-relay'})).toBe(2)
  })
})

describe('parsePrometheusText (the test reader is strict)', () => {
  it.each([
    ['no final line feed', '# TYPE a_total counter\na_total 1'],
    ['a counter not named _total', '# TYPE a counter\na 1\n'],
    ['TYPE after a sample', 'a 1\n# TYPE a gauge\n'],
    ['a bad value', 'a one\n'],
    ['an unescaped quote', 'a{x="1"2"} 1\n'],
    ['a series twice', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['a family split in two', 'a 1\nb 1\na{x="2"} 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose buckets fall', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow()
  })
})
