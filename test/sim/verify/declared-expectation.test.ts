import {describe, expect, it} from 'vitest'

import {SCENARIO_NAMES} from '../../../src/sim/scenario/builtin-scenarios.js'
import {emptyTally, recordRun} from '../../../src/sim/verify/cell-tally.js'
import {declaredExpectations, parseDeclaredExpectation} from '../../../src/sim/verify/declared-expectation.js'
import {checkExpectation} from '../../../src/sim/verify/expectation-check.js'
import {buildCells} from '../../../src/sim/verify/matrix.js'

describe('verify --expect SCENARIO=pass|fail[:INVARIANT,...]', () => {
  it.each([
    ['content-first=pass', {outcome: 'pass', because: '--expect content-first=pass'}],
    ['content-first=fail', {outcome: 'fail', invariants: [], because: '--expect content-first=fail'}],
    ['partial=fail:ready-exactly-once,no-false-excess', {outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess'], because: '--expect partial=fail:ready-exactly-once,no-false-excess'}],
    ['random=fail-sometimes:liveness', {outcome: 'fail-sometimes', invariants: ['liveness'], because: '--expect random=fail-sometimes:liveness'}],
  ])('%s', (text, expectation) => {
    expect(parseDeclaredExpectation(text, SCENARIO_NAMES)).toEqual({ok: true, value: {scenario: text.split('=')[0], expectation}})
  })

  it.each([
    ['content-first', 'should be SCENARIO=pass'],
    ['nope=pass', 'unknown scenario "nope"'],
    ['content-first=pass:liveness', 'pass takes no invariants'],
    ['content-first=fail:nope', 'unknown invariant "nope"'],
    ['content-first=maybe', 'should be SCENARIO=pass'],
  ])('refuses %s', (text, error) => {
    const parsed = parseDeclaredExpectation(text, SCENARIO_NAMES)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toContain(error)
  })

  it('refuses a scenario declared twice, naming the flag', () => {
    const parsed = declaredExpectations(['partial=pass', 'partial=fail'], SCENARIO_NAMES)
    expect(parsed).toEqual({ok: false, error: '--expect "partial=fail": partial is declared twice'})
  })

  it('replaces the scenario’s expectation for every strategy of its cells, and the check names the reason', () => {
    // Given
    const declared = declaredExpectations(['content-first=fail:liveness'], SCENARIO_NAMES)
    if (!declared.ok) throw new Error(declared.error)

    // When
    const cells = buildCells([{scenarios: ['content-first', 'partial'], strategies: ['naive', 'buffer'], seedStart: 1, seeds: 2, shape: {'els-instances': 1}}], () => ({options: {}, args: []}), declared.value)

    // Then
    expect(cells.filter((c) => c.scenario === 'content-first').map((c) => c.expectation.because)).toEqual(['--expect content-first=fail:liveness', '--expect content-first=fail:liveness'])
    expect(cells.find((c) => c.scenario === 'partial' && c.strategy === 'buffer')!.expectation).toEqual({outcome: 'pass'})
    const passing = recordRun(emptyTally(), 1, [], ['liveness'])
    const check = checkExpectation(cells[0].expectation, passing)
    expect(check.matched).toBe(false)
    expect(check.expected).toBe('every seed fails with liveness (declared: --expect content-first=fail:liveness)')
  })

  it('fail without invariants matches any failure, never a pass', () => {
    const declared = parseDeclaredExpectation('content-first=fail', SCENARIO_NAMES)
    if (!declared.ok) throw new Error(declared.error)
    const expectation = declared.value.expectation
    expect(checkExpectation(expectation, recordRun(emptyTally(), 1, ['outbox-drained'], [])).matched).toBe(true)
    expect(checkExpectation(expectation, recordRun(emptyTally(), 1, [], [])).matched).toBe(false)
  })
})
