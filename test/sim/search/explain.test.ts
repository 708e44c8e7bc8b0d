import {describe, expect, it} from 'vitest'

import {explainViolation} from '../../../src/sim/search/explain.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {makeEls, UnguardedCompletionEls} from '../check/els-variants.js'

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
  it('names the content that overtook the registration, the batch, both commits and both relays', () => {
    // Given
    const run = runSimulation({scenario: scenario('content-first'), strategy: 'naive', seed: 1})

    // When
    const sentence = explainViolation(run, 'ready-exactly-once')

    // Then
    expectOneSentence(sentence)
    expect(sentence).toMatch(/^EssayContentProvisioned of b1-f\d reached ELS at \d+\.\d{3}s before BatchEssaysRegistered b1 \(/)
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
    expect(sentence).toMatch(/^EssayValidationFailed of b1-f1 reached ELS .* before BatchEssaysRegistered b1/)
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

  it('falls back to the violation itself when nothing overtook the registration', () => {
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
    expect(sentence).toMatch(/^No event of b1 overtook its registration: became ready \d+ times/)
  })
})
