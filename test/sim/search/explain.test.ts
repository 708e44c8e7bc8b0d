import {describe, expect, it} from 'vitest'

import {explainViolation} from '../../../src/sim/search/explain.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {makeEls, NonAtomicRegistrationEls, UnguardedCompletionEls} from '../check/els-variants.js'
import {ReadyAtRegistrationEls} from '../check/relating-variants.js'

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

/** One sentence: a single line ending in a full stop, with no sentence break inside. */
function expectOneSentence(text: string): void {
  expect(text).not.toContain('\n')
  expect(text).toMatch(/\.$/)
  expect(text).not.toMatch(/[.!?]\s+[A-Z]/)
}

describe('explainViolation', () => {
  it('names the broken relation first, then the content that overtook the registration, both commits and both relays', () => {
    // Given
    const run = runSimulation({scenario: scenario('content-first'), strategy: 'naive', seed: 1})

    // When
    const sentence = explainViolation(run, 'ready-exactly-once')

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/^b1 never became ready: assigned \d \+ failed 0 of 2 expected \(2 files uploaded\), after /)
    expect(sentence).toMatch(/after EssayContentProvisioned of b1-f\d reached ELS at \d+\.\d{3}s before BatchEssaysRegistered b1 \(/)
    expect(sentence).toContain('although BOS committed the registration first')
    expect(sentence).toContain('bos-relay published it 2.000s after its commit')
    expect(sentence).toContain('file-relay the content')
    expect(sentence).toContain('ELS answered "excess"')
  })

  it('names an early validation failure the same way', () => {
    // Given
    const run = runSimulation({scenario: scenario('validation-failure'), strategy: 'naive', seed: 1})

    // When
    const sentence = explainViolation(run, 'no-lost-content')

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/^batch b1: 1 validation failure lost: .*, after EssayValidationFailed of b1-f1 reached ELS .* before BatchEssaysRegistered b1/)
    expect(sentence).toContain('ELS answered "failure-lost"')
  })

  it('says so when the invariant holds', () => {
    // Given
    const run = runSimulation({scenario: scenario('content-first'), strategy: 'buffer', seed: 1})

    // When
    const sentence = explainViolation(run, 'ready-exactly-once')

    // Then
    expect(sentence).toBe('ready-exactly-once holds in this run.')
  })

  it('is the relation alone when nothing overtook the registration', () => {
    // Given a completion published twice (bug 5): registration first, then re-sent content
    const fault = parseFaultSpec('relay-crash-after-publish=file@50%')
    if (!fault.ok) throw new Error(fault.error)
    const runs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) =>
      runSimulation({scenario: scenario('registration-first'), strategy: 'buffer', seed, faults: [fault.value], makeEls: makeEls(UnguardedCompletionEls)}),
    )
    const run = runs.find((r) => r.result.violations.some((v) => v.invariant === 'ready-exactly-once'))
    expect(run).toBeDefined()

    // When
    const sentence = explainViolation(run!, 'ready-exactly-once')

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/^b1 became ready \d+ times \(events [^)]+\)\.$/)
  })

  it('names a Ready written before the batch was complete, in the checker words', () => {
    // Given a consumer that announces the batch ready at its registration
    const run = runSimulation({scenario: scenario('registration-first'), strategy: 'buffer', seed: 1, makeEls: makeEls(ReadyAtRegistrationEls)})

    // When
    const sentence = explainViolation(run, 'ready-when-complete')

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/^BatchEssaysReady b1 written with 0 of 2 slots filled and 0 counted failed/)
  })

  it('names a registration rolled back whose redelivery was skipped as a duplicate', () => {
    // Given a registration that is not atomic, failing midway now and then
    const fault = parseFaultSpec('register-db-error@50%')
    if (!fault.ok) throw new Error(fault.error)
    const runs = Array.from({length: 20}, (_, i) =>
      runSimulation({scenario: scenario('registration-first'), strategy: 'buffer', seed: i + 1, faults: [fault.value], makeEls: makeEls(NonAtomicRegistrationEls)}),
    )
    const run = runs.find((r) => r.result.violations.length > 0)
    expect(run).toBeDefined()

    // When
    const sentence = explainViolation(run!, run!.result.violations[0].invariant)

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/, after the registration of b1 was rolled back at \d+\.\d{3}s \([^)]+\), and its redelivery at \d+\.\d{3}s was skipped as a duplicate\.$/)
  })
})
