import {describe, expect, it} from 'vitest'

import {decodeSchedule} from '../../../../src/sim/kernel/schedule.js'
import {explore, type ExploreOptions} from '../../../../src/sim/search/explore/explore.js'
import {exploreShard} from '../../../../src/sim/search/explore/explore-shard.js'
import {BUILTIN_SCENARIOS} from '../../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../../src/sim/scenario/fault-spec.js'
import type {Strategy} from '../../../../src/sim/scenario/strategy.js'
import {runSimulation, type SimulationRun} from '../../../../src/sim/simulated/run-simulation.js'

function scope(scenario: string, strategy: Strategy, essays: number, faults: string[] = []): ExploreOptions['run'] {
  const definition = BUILTIN_SCENARIOS.get(scenario)
  if (!definition) throw new Error(`no scenario ${scenario}`)
  return {
    scenario: definition,
    strategy,
    seed: 1,
    essays,
    faults: faults.map((text) => {
      const parsed = parseFaultSpec(text)
      if (!parsed.ok) throw new Error(parsed.error)
      return parsed.value
    }),
  }
}

/*
 * The tiny scope, counted by hand: registration-first, buffer, 1 batch × 1 essay, explore's default
 * bounds (the broker's latency and ELS's handling at their shortest, 1 ms each; no fault).
 *
 * Choices that branch in every run:
 * - three drawn delays at their two ends: the batch gap (50 | 200 ms), the upload gap (5 | 20 ms)
 *   and the file's processing (300 | 800 ms): 2 × 2 × 2 = 8 timings;
 * - two ties: each of ELS's two input messages (the registration, the content) is acked 1 ms
 *   after its append, the very instant it becomes visible to ELS, so the relay's ack and ELS's
 *   fetch are due at once: 2 orders each, 2 × 2 = 4.
 * Nothing else ties: the content is committed at least 305 ms after the registration reached ELS,
 * and ELS's own events (slot assigned, ready) have no consumer to race with. Plain enumeration:
 * 8 × 4 = 32 runs, each an interleaving.
 * With the reduction: an ack that sends nothing more touches only its relay's outbox, and with a
 * broker latency above 0 it commutes with ELS's fetch and starts nothing ELS could see at that
 * instant, so it is explored alone: 1 order per tie, 8 interleavings. The alternatives never tried
 * are counted once per choice point of the tree: the registration's tie follows the batch gap and
 * the upload gap (drawn when the registration commits), so there are 4 of it; the content's follows
 * all three delays, 8 of it: 12. With the cache as well: the batch gap only shifts the whole run (states are hashed
 * relative to now), so the 200 ms branch reaches the 50 ms branch's first state at once: its 4
 * runs are cut there, and 4 interleavings are judged.
 */
describe('explore: the tiny scope (1 batch × 1 essay) against the count derived by hand', () => {
  const tiny = scope('registration-first', 'buffer', 1)

  it('plain enumeration (no reduction, no cache) runs 32 interleavings', () => {
    // When
    const result = explore({run: tiny, reduction: false, cache: false})
    // Then
    expect(result).toMatchObject({exhaustive: true, runs: 32, interleavings: 32, cutByReduction: 0, skippedByReduction: 0, cutByCache: 0})
    expect(result.failure).toBeUndefined()
  })

  it('the reduction leaves one order per tie: 8 interleavings, 12 alternatives never tried', () => {
    // When
    const result = explore({run: tiny, reduction: true, cache: false})
    // Then
    expect(result).toMatchObject({exhaustive: true, runs: 8, interleavings: 8, skippedByReduction: 12, cutByCache: 0})
  })

  it('the cache cuts the batch gap’s second end: 4 interleavings judged, 4 runs cut', () => {
    // When
    const result = explore({run: tiny})
    // Then
    expect(result).toMatchObject({exhaustive: true, runs: 8, interleavings: 4, cutByCache: 4})
  })
})

describe('explore on the race', () => {
  it('finds content-first under naive, and its schedule replays the failure exactly', () => {
    // When
    const result = explore({run: scope('content-first', 'naive', 2)})
    // Then
    expect(result.failure).toBeDefined()
    expect(result.exhaustive).toBe(false)
    const again = runSimulation({...result.failure!.options})
    expect(again.result.verdict).toBe('fail')
    expect(again.result.violations.map((v) => v.invariant)).toContain('ready-exactly-once')
    expect(again.result.schedule).toBe(result.failure!.run.result.schedule)
  })

  it('proves the buffer clean on 2 essays with a relay crash, and prunes against plain enumeration', () => {
    // Given
    const run = scope('content-first', 'buffer', 2, ['relay-crash-after-publish=file'])
    // When
    const pruned = explore({run})
    const plain = explore({run, reduction: false, cache: false, maxRuns: 20 * pruned.runs})
    // Then
    expect(pruned.exhaustive).toBe(true)
    expect(pruned.failure).toBeUndefined()
    expect(pruned.interleavings).toBeGreaterThan(1)
    // Plain enumeration needs more than 10× the runs (it is stopped at 20×, or ends above 10×).
    expect(plain.failure).toBeUndefined()
    expect(plain.runs).toBeGreaterThan(10 * pruned.runs)
  }, 120_000)

  it('a fault budget of 0 explores no fault; 1 explores runs where the relay crashed', () => {
    // Given
    const run = scope('registration-first', 'buffer', 1, ['relay-crash-after-publish=file'])
    // When
    const none = explore({run, maxFaults: 0, cache: false})
    const one = explore({run, maxFaults: 1, cache: false})
    // Then
    expect(none.interleavings).toBe(8)
    expect(one.interleavings).toBeGreaterThan(none.interleavings)
  })

  it('--max-runs stops the search, not exhaustive', () => {
    // When
    const result = explore({run: scope('registration-first', 'buffer', 1), reduction: false, cache: false, maxRuns: 5})
    // Then
    expect(result).toMatchObject({exhaustive: false, runs: 5})
  })
})

describe('the reduction is sound', () => {
  /** What a run ended with, whatever the order of its steps: each service's events by kind, ELS's outcomes. */
  const outcome = (run: SimulationRun): string =>
    JSON.stringify([
      run.result.verdict,
      run.trace
        .map((e) => `${e.svc} ${e.ev} ${'outcome' in e ? JSON.stringify(e.outcome) : ''} ${'type' in e ? e.type : ''}`)
        .sort(),
    ])

  it('every outcome plain enumeration reaches, the reduced search reaches too (1 essay, an excess file, a relay crash)', () => {
    // Given
    const run = scope('true-excess', 'naive', 1, ['relay-crash-after-publish=file'])
    const plain = new Set<string>()
    const reduced = new Set<string>()
    // When
    const all = explore({run, reduction: false, cache: false, onInterleaving: (r) => plain.add(outcome(r))})
    const some = explore({run, reduction: true, cache: false, onInterleaving: (r) => reduced.add(outcome(r))})
    // Then
    expect(all.exhaustive && some.exhaustive).toBe(true)
    expect(some.interleavings).toBeLessThan(all.interleavings)
    expect(plain.size).toBeGreaterThan(1)
    expect([...reduced].sort()).toEqual([...plain].sort())
  }, 120_000)
})

describe('explore --shard K/N', () => {
  it('N shards judge every interleaving once between them', () => {
    // Given
    const run = scope('registration-first', 'buffer', 1)
    const whole = explore({run, cache: false})
    // When
    const parts = [1, 2, 3].map((index) => explore({run, cache: false, shard: exploreShard({index, count: 3})}))
    // Then
    expect(parts.every((part) => part.exhaustive)).toBe(true)
    expect(parts.reduce((sum, part) => sum + part.interleavings, 0)).toBe(whole.interleavings)
    expect(parts.filter((part) => part.interleavings > 0).length).toBeGreaterThan(1)
  })
})

describe('explore leaves seeded runs alone', () => {
  it('a run replayed from an explored schedule is the run explore judged', () => {
    // Given
    const result = explore({run: scope('content-first', 'naive', 1)})
    // When
    const schedule = decodeSchedule(result.failure!.run.result.schedule)
    const replayed = runSimulation({...scope('content-first', 'naive', 1), schedule})
    // Then
    expect(replayed.trace).toEqual(result.failure!.run.trace)
  })
})
