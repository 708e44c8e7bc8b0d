import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {cellExpectation, type CellShapeOptions} from '../../../src/sim/scenario/shaped-expectation.js'
import {shapedScenario} from '../../../src/sim/scenario/shaped-scenario.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'

const delay = (text: string) => {
  const parsed = parseDelaySpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

function expectation(name: string, strategy: Strategy, shape: CellShapeOptions) {
  const definition = BUILTIN_SCENARIOS.get(name)!
  return cellExpectation(definition, strategy, shapedScenario(definition, shape), shape)
}

describe('a shaped run declared to fail even under buffer', () => {
  it('content-first with a pending timeout shorter than BOS’s relay lag: buffer is expected to fail, and says why', () => {
    // When
    const declared = expectation('content-first', 'buffer', {delays: [delay('pending-timeout=1s')]})

    // Then
    expect(declared).toMatchObject({outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess']})
    expect(declared.because).toMatch(/^the pending timeout \(1(\.000)?s\) is shorter than early content waits for its registration \(at least 1\.\d+s\)$/)
  })

  it('is declared only where it is certain: not for the default timeout, a timeout near the lag, a faulted run, or another strategy', () => {
    // Given
    const fault = parseFaultSpec('els-restart')
    if (!fault.ok) throw new Error(fault.error)

    // When / Then
    expect(expectation('content-first', 'buffer', {})).toEqual({outcome: 'pass'})
    expect(expectation('content-first', 'buffer', {delays: [delay('pending-timeout=1900ms')]})).toEqual({outcome: 'pass'})
    expect(expectation('content-first', 'buffer', {delays: [delay('pending-timeout=1s')], faults: [fault.value]})).toEqual({outcome: 'pass'})
    expect(expectation('content-first', 'naive', {delays: [delay('pending-timeout=1s')]}).because).toBeUndefined()
    expect(expectation('registration-first', 'buffer', {delays: [delay('pending-timeout=1s')]})).toEqual({outcome: 'pass'})
  })

  it('follows the shape’s own timings: a 5 s BOS lag makes a 3 s timeout expire in any scenario', () => {
    // When
    const declared = expectation('registration-first', 'buffer', {delays: [delay('bos-relay=5s'), delay('pending-timeout=3s')]})
    // Then
    expect(declared.outcome).toBe('fail')
  })
})
