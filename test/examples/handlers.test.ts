import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import type {InvariantName} from '../../src/sim/check/invariant.js'
import {loadHandler} from '../../src/sim/consumer/handler-loader.js'
import {TOPICS} from '../../src/sim/domain/topics.js'
import type {DeliveryPlan} from '../../src/sim/process/delivery-plan.js'
import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../../src/sim/scenario/builtin-scenarios.js'
import {parseDelaySpec} from '../../src/sim/scenario/delay-spec.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {CI_MATRIX} from '../../src/sim/verify/ci-matrix.js'
import {handlerCells} from '../../src/sim/verify/handler-cells.js'
import {buildCells} from '../../src/sim/verify/matrix.js'
import {verifyMatrix, type VerifyOutcome} from '../../src/sim/verify/verify-matrix.js'
import {shapeArgs, shapeOptions} from '../../src/cli/sim-flags.js'

const root = resolve(import.meta.dirname, '../..')
const BUFFER = 'examples/handlers/buffer.ts'

/** `racelab verify --handler PATH --ci`, in process (the command's own matrix and pool). */
async function verifyCi(handler: string): Promise<VerifyOutcome> {
  await loadHandler(handler)
  const cells = handlerCells(buildCells(CI_MATRIX, (shape) => ({options: shapeOptions(shape), args: shapeArgs(shape)})), {handler})
  return verifyMatrix(cells, {workers: 2, shrink: true, handler})
}

const violated = (outcome: VerifyOutcome): Set<InvariantName> =>
  new Set(outcome.results.flatMap((r) => Object.keys(r.tally.invariants) as InvariantName[]))

describe('examples/handlers/buffer.ts (the fix, written against the interface)', () => {
  it('racelab verify --handler examples/handlers/buffer.ts --ci passes', async () => {
    // When
    const {stdout, error} = await runCommand(['verify', '--handler', BUFFER, '--ci', '--json'], {root})
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', handler: BUFFER, unmatched: 0})
    expect(json.cells.length).toBe(handlerCells(buildCells(CI_MATRIX, (shape) => ({options: shapeOptions(shape), args: shapeArgs(shape)})), {handler: BUFFER}).length)
    for (const cell of json.cells) expect(cell.shape).toContain(`--handler ${BUFFER}`)
  }, 180_000)

  it('gives the built-in buffer strategy’s verdict on every built-in scenario, seeds 1 to 100', async () => {
    // Given
    await loadHandler(BUFFER)
    const differ: string[] = []
    let compared = 0
    // When
    for (const name of SCENARIO_NAMES) {
      const scenario = BUILTIN_SCENARIOS.get(name)!
      for (let seed = 1; seed <= 100; seed++) {
        const builtin = runSimulation({scenario, strategy: 'buffer', seed}).result
        const handler = runSimulation({scenario, strategy: 'buffer', seed, handler: BUFFER}).result
        compared++
        if (builtin.verdict !== handler.verdict) differ.push(`${name} seed ${seed}: ${builtin.verdict} vs ${handler.verdict}`)
      }
    }
    // Then
    expect(compared).toBe(SCENARIO_NAMES.length * 100)
    expect(differ).toEqual([])
  }, 180_000)
})

/** Each post-fix bug as a user's handler: verify --ci fails with the bug's invariant, with shrunk counterexamples. */
const BUGS: [file: string, invariant: InvariantName][] = [
  ['1-buffer-in-process-memory.ts', 'no-lost-content'],
  ['2-check-then-act-across-instances.ts', 'no-false-excess'],
  ['3-non-atomic-registration.ts', 'no-false-excess'],
  // the never-registered scenario's batch never registers: its rows must expire and be reported
  ['4-pending-rows-never-expire.ts', 'no-lost-content'],
  ['5-duplicate-completion.ts', 'ready-exactly-once'],
  ['6-dedup-by-event-id-only.ts', 'no-double-assignment'],
  ['7-early-validation-failure.ts', 'ready-exactly-once'],
]

describe('examples/handlers: the post-fix bugs', () => {
  for (const [file, invariant] of BUGS) {
    it(`${file} fails verify --ci with ${invariant} and a shrunk counterexample that names the handler`, async () => {
      // Given
      const handler = `examples/handlers/${file}`
      // When
      const outcome = await verifyCi(handler)
      // Then
      expect(outcome.verdict).toBe('fail')
      expect([...violated(outcome)]).toContain(invariant)
      expect(outcome.counterexamples.length).toBeGreaterThan(0)
      for (const {result, counterexample} of outcome.counterexamples) {
        expect(result.check.matched).toBe(false)
        expect(result.reproduce).toContain(`--handler ${handler}`)
        expect(counterexample.options.handler).toBe(handler)
        // the shrunk run, replayed from its schedule, still fails so
        expect(counterexample.run.result.violations.map((v) => v.invariant)).toContain(counterexample.invariant)
      }
    }, 300_000)
  }

  it('4-pending-rows-never-expire.ts: a withheld registration shows no-lost-content, and the fix reports its expiry', async () => {
    // Given
    const handler = 'examples/handlers/4-pending-rows-never-expire.ts'
    await loadHandler(handler)
    await loadHandler(BUFFER)
    const withholdRegistrations = (): DeliveryPlan => ({
      choose: (ready) => {
        const index = ready.findIndex((m) => m.topic !== TOPICS.batchEssaysRegistered)
        return index < 0 ? 'wait' : index
      },
      delivered: () => {},
    })
    const timeout = parseDelaySpec('pending-timeout=5s')
    if (!timeout.ok) throw new Error(timeout.error)
    const hazard = (h: string | undefined) =>
      runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 1, plan: withholdRegistrations(), delays: [timeout.value], handler: h}).result
    // When
    const bug = hazard(handler)
    const fix = hazard(BUFFER)
    // Then
    expect(bug.violations.filter((v) => v.invariant === 'no-lost-content').map((v) => v.detail)).toEqual([
      expect.stringMatching(/2 contents silently dropped: never assigned nor reported excess/),
    ])
    expect(fix.violations.map((v) => v.invariant)).not.toContain('no-lost-content')
  }, 300_000)
})
