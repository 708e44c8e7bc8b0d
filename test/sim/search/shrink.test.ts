import {describe, expect, it} from 'vitest'

import type {InvariantName} from '../../../src/sim/check/invariant.js'
import {decodeSchedule, encodeSchedule} from '../../../src/sim/kernel/schedule.js'
import {shrinkCounterexample} from '../../../src/sim/search/shrink.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'
import {swimlane, swimlaneLines} from '../../../src/ui/swimlane-rows.js'

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

type Handled = Extract<TraceEvent, {ev: 'handled'}>
const handled = (trace: readonly TraceEvent[]): Handled[] => trace.filter((e): e is Handled => e.ev === 'handled')

/** The first seed of `random` on which naive fails, found by searching (deterministic). */
function firstFailingRandomSeed(): number {
  for (let seed = 1; seed <= 100; seed++) {
    if (runSimulation({scenario: scenario('random'), strategy: 'naive', seed}).result.verdict === 'fail') return seed
  }
  throw new Error('naive never failed in random over seeds 1..100')
}

const CASES: [string, () => RunOptions, InvariantName, string][] = [
  ['content-first, 3 batches of 3', () => ({scenario: scenario('content-first'), strategy: 'naive', seed: 1, batches: 3, essays: 3}), 'ready-exactly-once', TOPICS.essayContentProvisioned],
  ['content-first', () => ({scenario: scenario('content-first'), strategy: 'naive', seed: 4}), 'no-false-excess', TOPICS.essayContentProvisioned],
  ['random (first failing seed)', () => ({scenario: scenario('random'), strategy: 'naive', seed: firstFailingRandomSeed()}), 'ready-exactly-once', TOPICS.essayContentProvisioned],
  ['validation-failure', () => ({scenario: scenario('validation-failure'), strategy: 'naive', seed: 2}), 'no-lost-content', TOPICS.essayValidationFailed],
]

describe('shrinkCounterexample for naive', () => {
  it.each(CASES)('%s: one batch, one essay, and ELS sees the input then the registration', (_label, options, invariant, inputType) => {
    // Given
    const original = options()

    // When
    const shrunk = shrinkCounterexample(original, invariant)

    // Then the topology is minimal
    expect(shrunk.invariant).toBe(invariant)
    expect(shrunk.run.scenario.batches).toBe(1)
    expect(shrunk.run.scenario.essays).toBe(1)
    expect(shrunk.run.result.batches.map((b) => b.batchId)).toEqual(['b1'])
    // and ELS's trace is the harmful order and nothing else
    expect(handled(shrunk.run.trace).map((e) => e.type)).toEqual([inputType, TOPICS.batchEssaysRegistered])
    expect(handled(shrunk.run.trace).map((e) => e.outcome.kind)).toEqual([
      inputType === TOPICS.essayValidationFailed ? 'failure-lost' : 'excess',
      'registered',
    ])
    expect(shrunk.run.result.violations.some((v) => v.invariant === invariant)).toBe(true)
    expect(shrunk.attempts).toBeGreaterThan(1)
  })

  it.each(CASES)('%s: the shrunk options re-run reproduce the same violation, byte for byte', (_label, options, invariant) => {
    // Given
    const shrunk = shrinkCounterexample(options(), invariant)

    // When
    const again = runSimulation(shrunk.options)

    // Then
    expect(again.result.violations.some((v) => v.invariant === invariant)).toBe(true)
    expect(again.result.violations).toEqual(shrunk.run.result.violations)
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(shrunk.run.trace))
  })

  it.each(CASES)('%s: the shrunk schedule is the whole one its run recorded, so a strict replay (racelab run --schedule) takes it', (_label, options, invariant) => {
    // Given
    const shrunk = shrinkCounterexample(options(), invariant)

    // When / Then (a strict replay throws where a schedule ends early or does not fit)
    expect(encodeSchedule(shrunk.options.schedule ?? [])).toBe(shrunk.run.result.schedule)
    expect(runSimulation({...shrunk.options, schedule: decodeSchedule(shrunk.run.result.schedule)}).result.violations).toEqual(
      shrunk.run.result.violations,
    )
  })

  it('is smaller than the run it started from', () => {
    // Given
    const original: RunOptions = {scenario: scenario('content-first'), strategy: 'naive', seed: 1, batches: 3, essays: 3}
    const before = runSimulation(original)

    // When
    const shrunk = shrinkCounterexample(original, 'ready-exactly-once')

    // Then
    expect(shrunk.run.trace.length).toBeLessThan(before.trace.length)
    expect(shrunk.options.batches).toBe(1)
    expect(shrunk.options.essays).toBe(1)
  })

  it('explains the shrunk run in one sentence naming the batch and the overtaken registration', () => {
    // Given / When
    const {explanation} = shrinkCounterexample({scenario: scenario('content-first'), strategy: 'naive', seed: 1}, 'ready-exactly-once')

    // Then
    expect(explanation).toContain('b1')
    expect(explanation).toContain('before BatchEssaysRegistered')
    expect(explanation).not.toContain('\n')
    expect(explanation).toMatch(/\.$/)
    expect(explanation).not.toMatch(/[.!?]\s+[A-Z]/)
  })

  it('its swimlane marks the harmful event and has one line per event plus a header', () => {
    // Given
    const {run} = shrinkCounterexample({scenario: scenario('content-first'), strategy: 'naive', seed: 1}, 'ready-exactly-once')

    // When
    const model = swimlane(run.trace)
    const lines = swimlaneLines(model)

    // Then
    expect(model.rows).toHaveLength(run.trace.length)
    expect(lines).toHaveLength(run.trace.length + 1)
    const harmful = model.rows.filter((r) => r.harmful)
    expect(harmful).toHaveLength(1)
    expect(harmful[0].text).toContain('EXCESS')
    expect(model.columns[harmful[0].column]).toBe('els')
    const harmfulLine = lines[1 + model.rows.indexOf(harmful[0])]
    expect(harmfulLine.startsWith('!')).toBe(true)
    expect(lines.filter((l) => l.startsWith('!'))).toHaveLength(1)
  })

  it('refuses a run that does not violate the invariant', () => {
    // Given
    const passing: RunOptions = {scenario: scenario('content-first'), strategy: 'buffer', seed: 1}

    // When / Then
    expect(() => shrinkCounterexample(passing, 'ready-exactly-once')).toThrow(/does not violate ready-exactly-once/)
  })

  it('stays within its budget of candidate runs', () => {
    // Given / When
    const shrunk = shrinkCounterexample({scenario: scenario('content-first'), strategy: 'naive', seed: 1, batches: 3, essays: 3}, 'ready-exactly-once', 3)

    // Then
    expect(shrunk.attempts).toBeLessThanOrEqual(3)
    expect(shrunk.run.result.violations.some((v) => v.invariant === 'ready-exactly-once')).toBe(true)
  })
})

describe('shrinking a run with --invalid', () => {
  it('never asks for more invalid uploads than the fewer essays upload, and keeps the lost failure', () => {
    // Given: naive loses early validation failures; 4 essays, 3 of them invalid
    const options: RunOptions = {scenario: scenario('content-first'), strategy: 'naive', seed: 2, essays: 4, invalid: 3}
    expect(runSimulation(options).result.violations.map((v) => v.invariant)).toContain('no-lost-content')

    // When
    const shrunk = shrinkCounterexample(options, 'no-lost-content')

    // Then: smaller, still failing, and a valid shape
    const essays = shrunk.options.essays ?? 4
    expect(essays).toBeLessThan(4)
    expect(shrunk.options.invalid).toBeLessThanOrEqual(essays)
    expect(shrunk.options.invalid).toBeGreaterThanOrEqual(1)
    expect(shrunk.run.result.violations.map((v) => v.invariant)).toContain('no-lost-content')
  })
})
