import {describe, expect, it} from 'vitest'

import {TOPICS} from '../../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {makeEls, NeverExpiringEls} from '../check/els-variants.js'

const scenario = BUILTIN_SCENARIOS.get('never-registered')!
const run = (strategy: Strategy, seed: number, extra: Partial<RunOptions> = {}) => runSimulation({scenario, strategy, seed, ...extra})
const seeds = [1, 2, 3, 4, 5]

describe('never-registered', () => {
  it('under buffer, b2’s content and failure are buffered, expire and are reported BATCH_NEVER_REGISTERED: the run passes', () => {
    for (const seed of seeds) {
      // When
      const {result, trace} = run('buffer', seed)

      // Then: BOS never committed b2, yet its files were uploaded
      expect(trace.some((e) => e.ev === 'batch-registered' && e.batch === 'b2')).toBe(false)
      expect(trace.filter((e) => e.ev === 'file-committed' && e.batch === 'b2')).toHaveLength(2)
      expect(trace.flatMap((e) => (e.ev === 'expired' ? [`${e.kind} ${e.ref}`] : [])).sort()).toEqual(['content text-b2-f1', 'failure b2-f2'])
      const reports = trace.filter((e) => e.ev === 'published' && e.type === TOPICS.excessContentProvisioned)
      expect(reports.map((e) => e.ev === 'published' && e.key)).toEqual(['b2'])
      expect(result.metrics).toMatchObject({pendingStored: 2, expired: 2})
      expect(result.verdict).toBe('pass')
    }
  })

  it('under naive, the content is reported excess at once (NO_AVAILABLE_SLOT) and the run passes, as the domain says', () => {
    for (const seed of seeds) {
      // When
      const {result} = run('naive', seed)
      // Then
      expect(result.verdict).toBe('pass')
      expect(result.metrics?.pendingStored).toBe(0)
    }
  })

  it('catches pending rows that never expire (post-fix bug 4) without any fixture', () => {
    for (const seed of seeds) {
      // When
      const {result} = run('buffer', seed, {makeEls: makeEls(NeverExpiringEls)})
      // Then
      expect(result.violations.map((v) => v.invariant)).toContain('no-lost-content')
      expect(result.violations.find((v) => v.invariant === 'no-lost-content')!.detail).toContain('left in pending_content')
    }
  })
})
