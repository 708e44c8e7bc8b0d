import {describe, expect, it} from 'vitest'

import {BENCH_PHASES, benchPhases} from '../../../src/sim/bench/bench-phases.js'
import {InputError} from '../../../src/sim/input-error.js'

describe('benchPhases', () => {
  it('is every phase without --only, and the ones named with it', () => {
    // When / Then
    expect([...benchPhases(undefined)]).toEqual([...BENCH_PHASES])
    expect([...benchPhases(['explore', 'floor'])].sort()).toEqual(['explore', 'floor'])
  })

  it('names each phase as its JSON section, in kebab case', () => {
    // Then: simulated, parallel, floor, handler, handlerCmd, firstFailure, explore, bigRun, live, soak
    const camel = BENCH_PHASES.map((p) => p.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()))
    expect(camel).toEqual(['simulated', 'parallel', 'floor', 'handler', 'handlerCmd', 'firstFailure', 'explore', 'bigRun', 'live', 'soak'])
  })

  it('refuses an unknown name in one line listing the phases', () => {
    // When / Then
    expect(() => benchPhases(['floor', 'flor'])).toThrow(InputError)
    expect(() => benchPhases(['flor'])).toThrow(`--only flor: not a bench phase (phases: ${BENCH_PHASES.join(', ')})`)
  })
})
