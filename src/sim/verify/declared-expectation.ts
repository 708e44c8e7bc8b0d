import {INVARIANTS, type InvariantName} from '../check/invariant.js'
import type {SpecParse} from '../scenario/delay-spec.js'
import type {Expectation} from '../scenario/scenario.js'

/**
 * `verify --expect SCENARIO=pass|fail[:INVARIANT,...]|fail-sometimes[:INVARIANT,...]`: what the
 * user declares a scenario's cells must do, over what the scenario declares. Without it, a cell
 * of a user's consumer expects what racelab's scenario says (pass, for the fix). `fail` without
 * invariants means failing with anything.
 */
export function parseDeclaredExpectation(text: string, scenarios: readonly string[]): SpecParse<{scenario: string; expectation: Expectation}> {
  const match = /^\s*([^=\s]+)\s*=\s*(pass|fail|fail-sometimes)\s*(?::\s*(.*))?$/.exec(text)
  if (!match) return {ok: false, error: 'should be SCENARIO=pass, SCENARIO=fail[:INVARIANT,...] or SCENARIO=fail-sometimes[:INVARIANT,...]'}
  const [, scenario, outcome, list] = match
  if (!scenarios.includes(scenario)) return {ok: false, error: `unknown scenario "${scenario}" (known: ${scenarios.join(', ')})`}
  const names = list === undefined ? [] : list.split(',').map((name) => name.trim())
  if (outcome === 'pass') {
    if (list !== undefined) return {ok: false, error: 'pass takes no invariants (pass means every invariant holds)'}
    return {ok: true, value: {scenario, expectation: {outcome: 'pass', because: `--expect ${scenario}=pass`}}}
  }
  const unknown = names.find((name) => !(INVARIANTS as readonly string[]).includes(name))
  if (unknown !== undefined) return {ok: false, error: `unknown invariant "${unknown}" (known: ${INVARIANTS.join(', ')})`}
  const invariants = [...new Set(names)] as InvariantName[]
  const because = `--expect ${scenario}=${outcome}${invariants.length > 0 ? `:${invariants.join(',')}` : ''}`
  return {ok: true, value: {scenario, expectation: {outcome: outcome as 'fail' | 'fail-sometimes', invariants, because}}}
}

/** Every --expect, one per scenario (a second for the same scenario is an error). */
export function declaredExpectations(texts: readonly string[] | undefined, scenarios: readonly string[]): SpecParse<Map<string, Expectation>> {
  const declared = new Map<string, Expectation>()
  for (const text of texts ?? []) {
    const parsed = parseDeclaredExpectation(text, scenarios)
    if (!parsed.ok) return {ok: false, error: `--expect ${JSON.stringify(text)}: ${parsed.error}`}
    if (declared.has(parsed.value.scenario)) return {ok: false, error: `--expect ${JSON.stringify(text)}: ${parsed.value.scenario} is declared twice`}
    declared.set(parsed.value.scenario, parsed.value.expectation)
  }
  return {ok: true, value: declared}
}
