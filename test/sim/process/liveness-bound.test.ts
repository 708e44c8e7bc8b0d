import {describe, expect, it} from 'vitest'

import {convergenceBound} from '../../../src/sim/check/convergence-bound.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {Chooser, replaySource} from '../../../src/sim/kernel/chooser.js'
import {SECOND, ms, type Micros} from '../../../src/sim/kernel/time.js'
import {livenessModel} from '../../../src/sim/process/liveness-bound.js'
import {maxOf} from '../../../src/sim/scenario/delay.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import type {Scenario} from '../../../src/sim/scenario/scenario.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

function builtin(name: string): Scenario {
  const definition = BUILTIN_SCENARIOS.get(name)
  if (!definition) throw new Error(`no scenario ${name}`)
  return definition.build(new Chooser(replaySource([])), {})
}

function parsed<T>(result: {ok: true; value: T} | {ok: false; error: string}): T {
  if (!result.ok) throw new Error(result.error)
  return result.value
}

const fileCommitted = (t: Micros, row: number): TraceEvent => ({t, svc: 'file', ev: 'file-committed', batch: 'b1', file: `b1-f${row}`, outcome: 'provisioned', row})
const filePublished = (t: Micros, row: number): TraceEvent => ({
  t,
  svc: 'file-relay',
  ev: 'published',
  type: TOPICS.essayContentProvisioned,
  key: `b1-f${row}`,
  row,
  partition: 0,
  offset: row,
  eventId: `e${row}`,
})

function model(trace: TraceEvent[], extra: Partial<Parameters<typeof livenessModel>[0]> = {}) {
  return livenessModel({scenario: builtin('registration-first'), coordinated: false, trace, inputMessages: 3, elsInstances: 1, ...extra})
}

describe('livenessModel', () => {
  it('gives a relay one more poll per 100 rows waiting in its outbox', () => {
    // Given 150 rows committed by 1 s, none published yet
    const trace = Array.from({length: 150}, (_, i) => fileCommitted(ms(1) + i, i + 1))

    // When
    const m = model(trace)
    const before = convergenceBound(m, 0)
    const after = convergenceBound(m, SECOND)

    // Then: nothing waited at 0; at 1 s two polls of rows wait behind the one in progress
    const fileRelay = m.relays.find((r) => r.label === 'file-relay')!
    expect(fileRelay.perPoll).toBe(maxOf(builtin('registration-first').relays.file.publishDelay) + 100 * ms(5))
    expect(after.bound - before.bound).toBe(2 * fileRelay.perPoll)
    expect(after.because).toContain('file-relay had 150 rows waiting: 3 polls')
  })

  it('counts a row the relay crashed on as still waiting', () => {
    // Given row 1 published, row 2 published and crashed on before published_at
    const trace: TraceEvent[] = [
      fileCommitted(0, 1),
      fileCommitted(0, 2),
      filePublished(ms(10), 1),
      filePublished(ms(20), 2),
      {t: ms(20), svc: 'file-relay', ev: 'relay-crashed', row: 2, restartIn: ms(500)},
    ]

    // When
    const {because} = convergenceBound(model(trace), ms(30))

    // Then
    expect(because).toContain('file-relay had 1 row waiting')
  })

  it('heals when the last fault recovery ends, also for an outage nobody ran into', () => {
    // Given an ELS crash at 2 s (back at 2.5 s), a failed publish at 3 s (retried at 3.4 s)
    const trace: TraceEvent[] = [
      {t: 2 * SECOND, svc: 'els', ev: 'els-crashed', partition: 0, offset: 0, restartIn: ms(500)},
      {t: 3 * SECOND, svc: 'file-relay', ev: 'publish-failed', row: 1, error: 'down', retryIn: ms(400)},
    ]

    // When / Then
    expect(model(trace).healedAt).toBe(3 * SECOND + ms(400))
    expect(model(trace, {healPoints: [9 * SECOND]}).healedAt).toBe(9 * SECOND)
    expect(model([]).healedAt).toBe(0)
  })

  it('stays tight enough that a batch a fault-free run leaves waiting for a minute fails', () => {
    // Given / When
    const {bound} = convergenceBound(model([]), 0)

    // Then
    expect(bound).toBeLessThan(5 * SECOND)
  })
})

describe('liveness on the buffer fix', () => {
  it('allows a row committed while its relay waits out a publish delay to wait two delays (issue 9 false alarm 1)', () => {
    // Given
    const delays = ['file-relay=5s', 'bos-relay=0ms', 'file-processing=1s'].map((d) => parsed(parseDelaySpec(d)))

    // When
    const {result} = runSimulation({scenario: BUILTIN_SCENARIOS.get('registration-first')!, strategy: 'buffer', seed: 1, delays})

    // Then
    expect(result.violations).toEqual([])
  })

  it('allows a crashed relay to pay its publish delay again after its restart (issue 9 false alarm 2)', () => {
    // Given
    const faults = [parsed(parseFaultSpec('relay-crash-after-publish'))]

    // When
    const {result} = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 7, batches: 3, faults, elsInstances: 3})

    // Then
    expect(result.violations).toEqual([])
  })
})
