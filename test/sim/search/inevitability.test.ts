import {describe, expect, it} from 'vitest'

import {shapeOptions} from '../../../src/cli/sim-flags.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {inevitabilityCurve} from '../../../src/sim/search/inevitability.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const CONTENT = 'huleedu.file.essay.content.provisioned.v1'
const REGISTERED = 'huleedu.batch.essays.registered.v1'

function contentFirst(seed: number, delay: string[] = []) {
  return {...shapeOptions({delay, 'els-instances': 1}), scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive' as const, seed}
}

/** The trace's first content published ahead of its batch's registration, and that content's commit. */
function overtaking(trace: readonly TraceEvent[]): {published: number; committed: number} {
  const registration = trace.find((e) => e.svc === 'bos-relay' && e.ev === 'published' && (e as {type?: string}).type === REGISTERED)!
  const content = trace.find((e) => e.svc === 'file-relay' && e.ev === 'published' && (e as {type?: string}).type === CONTENT && e.t < registration.t) as TraceEvent & {key: string}
  const commit = trace.find((e) => e.ev === 'file-committed' && (e as {file?: string}).file === content.key)!
  return {published: content.t, committed: commit.t}
}

describe('the inevitability curve', () => {
  it('naive content-first with drawn relay lags: near 0 until the content overtakes the registration, then 1, at the moment the trace shows it', () => {
    // Given seed 2: BOS's relay 1 s behind, the File Service's drawn from 0..10 s; its run fails
    const options = contentFirst(2, ['bos-relay=1s', 'file-relay=0..10s'])
    const {result, trace} = runSimulation(options)
    expect(result.verdict).toBe('fail')
    const moment = overtaking(trace)

    // When
    const curve = inevitabilityCurve(options, {trials: 20})

    // Then every rerun fails from the content's publish ahead of the registration on, and the choice
    // that sealed it is the File Service relay's publish delay, drawn when the content committed
    expect(curve.inevitableAt).toBe(moment.published)
    expect(curve.decisiveAt).toBe(moment.committed)
    const before = curve.points.filter((p) => p.prefix < curve.inevitablePrefix!)
    const after = curve.points.filter((p) => p.prefix >= curve.inevitablePrefix!)
    expect(before.length).toBeGreaterThan(0)
    for (const p of before) expect(p.failures / p.runs).toBeLessThanOrEqual(0.35)
    expect(curve.points[0].failures / curve.points[0].runs).toBeLessThanOrEqual(0.2)
    for (const p of after) expect(p.failures).toBe(p.runs)
    expect(curve.points.map((p) => p.t)).toEqual([...curve.points.map((p) => p.t)].sort((a, b) => a - b))
  })

  it('the shipped content-first is lost before anything happens: BOS’s 2 s lag is configuration, not a choice', () => {
    // When
    const curve = inevitabilityCurve(contentFirst(1), {trials: 5})

    // Then
    expect(curve.verdict).toBe('fail')
    expect(curve.inevitablePrefix).toBe(0)
    expect(curve.inevitableAt).toBe(0)
    expect(curve.decisiveAt).toBeUndefined()
  })

  it('a passing run has a curve and no moment of inevitability; the same options give the same curve', () => {
    // Given
    const options = {...contentFirst(3), strategy: 'buffer' as const}

    // When
    const curve = inevitabilityCurve(options, {trials: 3})

    // Then
    expect(curve.verdict).toBe('pass')
    expect(curve.inevitableAt).toBeUndefined()
    expect(curve.points.every((p) => p.failures === 0)).toBe(true)
    expect(inevitabilityCurve(options, {trials: 3})).toEqual(curve)
  })
})
