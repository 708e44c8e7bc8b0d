import {describe, expect, it} from 'vitest'

import {parseFaultSpec, type Fault} from '../../../src/sim/scenario/fault-spec.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'
import {runSimulation, MAX_FILES_PER_RUN, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {InputError} from '../../../src/sim/input-error.js'
import {traceLines} from '../../../src/sim/trace/trace-file.js'
import {makeEls} from '../check/els-variants.js'
import {AnyBatchSlotEls, MalformedReadyEls} from '../check/relating-variants.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const fault = (text: string): Fault => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

/** Faults that move every figure the judge folds: restarts, retries, relay crashes, an outage. */
const FAULTS: Fault[] = ['relay-crash-after-publish', 'consumer-crash-before-commit', 'els-restart', 'register-db-error', 'broker-unavailable=1s..3s'].map(fault)

function options(name: string, strategy: Strategy, seed: number, extra: Partial<RunOptions> = {}): RunOptions {
  return {scenario: BUILTIN_SCENARIOS.get(name)!, strategy, seed, ...extra}
}

/** The run as the large-run path makes it: no trace kept, every event seen through onTrace as it happens. */
function streamed(run: RunOptions) {
  const seen: TraceEvent[] = []
  const {result, trace} = runSimulation({...run, keepTrace: false, onTrace: (event) => seen.push(event)})
  return {result, kept: trace, seen}
}

describe('a run that keeps no trace (keepTrace: false)', () => {
  const cases: [string, Strategy, Partial<RunOptions>][] = [
    ['content-first', 'naive', {}],
    ['content-first', 'buffer', {essays: 25, batches: 4}],
    ['random', 'buffer', {faults: FAULTS, elsInstances: 3}],
    ['random', 'naive', {faults: FAULTS}],
    ['never-registered', 'buffer', {}],
    ['partial', 'relay-coordination', {faults: FAULTS}],
    ['content-first', 'partition-key', {batches: 3}],
    // Many batches, judged one or two at a time (check/judge-in-parts.ts), failing and passing.
    ['content-first', 'naive', {batches: 5, judgeBatchesPerPart: 1}],
    ['random', 'buffer', {batches: 4, faults: FAULTS, elsInstances: 2, judgeBatchesPerPart: 2}],
    ['registration-first', 'buffer', {batches: 3, makeEls: makeEls(AnyBatchSlotEls), judgeBatchesPerPart: 1}],
    ['registration-first', 'buffer', {batches: 3, makeEls: makeEls(MalformedReadyEls), judgeBatchesPerPart: 1}],
    ['never-registered', 'buffer', {batches: 3, judgeBatchesPerPart: 1}],
  ]

  it.each(cases)('%s under %s: the same verdict, violations and figures, and the same trace bytes, as a run that keeps it', (name, strategy, extra) => {
    for (const seed of [1, 2, 3, 4]) {
      // Given one run kept in memory, and the same run streamed
      const run = options(name, strategy, seed, extra)
      const inMemory = runSimulation(run)
      // When
      const {result, kept, seen} = streamed(run)
      // Then the streamed path was the one used: it held no event, yet saw each one
      expect(kept).toEqual([])
      expect(result.events).toBe(seen.length)
      expect(result.events).toBeGreaterThan(0)
      // and it is judged and written alike, byte for byte
      expect(result).toEqual(inMemory.result)
      expect(traceLines(seen)).toBe(traceLines(inMemory.trace))
    }
  })

  it('judges a failing run the same: the violations and the liveness bound come from the folded trace', () => {
    // Given a race the naive strategy loses, with faults that set healedAt
    const run = options('content-first', 'naive', 7, {faults: FAULTS, elsInstances: 2})
    // When
    const inMemory = runSimulation(run)
    const {result} = streamed(run)
    // Then
    expect(inMemory.result.verdict).toBe('fail')
    expect(result.violations).toEqual(inMemory.result.violations)
    expect(result.simulatedSeconds).toBe(inMemory.result.simulatedSeconds)
  })
})

describe('onJudging', () => {
  it('is called once, after the last event, before the result', () => {
    // Given a run that records what it was told, in order
    const told: string[] = []
    // When
    const {result} = runSimulation({...options('content-first', 'buffer', 1, {batches: 2}), keepTrace: false, onTrace: () => told.push('event'), onJudging: () => told.push('judging')})
    // Then every event came first, and the judging was announced once
    expect(told.filter((t) => t === 'judging')).toHaveLength(1)
    expect(told.at(-1)).toBe('judging')
    expect(told).toHaveLength(result.events + 1)
  })
})

describe('the cap on one run', () => {
  it('takes 10,000 batches × 25 essays, and refuses one file more in one line', () => {
    // Given / When / Then: the cap is the large run's size, and above it the error names the flags
    expect(MAX_FILES_PER_RUN).toBe(250_000)
    const over = () => runSimulation(options('content-first', 'buffer', 1, {essays: 25, batches: 10_001}))
    expect(over).toThrow(InputError)
    expect(over).toThrow(/^--essays × --batches: 250,025 files in one run; a run takes at most 250,000 \(use verify for breadth\)$/)
  })
})
