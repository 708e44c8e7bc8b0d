import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ELS_INPUT_TOPICS, SHARED_BATCH_TOPIC} from '../../src/sim/domain/topics.js'
import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {runLive, type LiveRun} from '../../src/sim/live/run-live.js'
import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import type {Strategy} from '../../src/sim/scenario/strategy.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {hasKcat, SKIP_LINE, startCluster} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

// The two remedies that reroute events (one shared topic keyed by batch id; one coordinated
// relay), live and in memory: both shells run the same process layer, so they must agree.
const CELLS: [scenario: string, strategy: Strategy][] = [
  ['content-first', 'partition-key'],
  ['content-first', 'relay-coordination'],
  ['relay-delay', 'partition-key'],
  ['relay-delay', 'relay-coordination'],
]

describe.skipIf(!hasKcat)('partition-key and relay-coordination on a local mock cluster', () => {
  let cluster: RunningCluster
  const live = new Map<string, Promise<LiveRun>>()

  beforeAll(async () => {
    cluster = await startCluster()
    // All four at once, each under its own prefix: their consumer groups form in the same 3 s.
    for (const [scenario, strategy] of CELLS) {
      live.set(
        `${scenario}/${strategy}`,
        runLive({
          scenario: BUILTIN_SCENARIOS.get(scenario)!,
          strategy,
          seed: 1,
          brokers: cluster.servers.split(','),
          topicPrefix: `racelab-test-${process.pid}-${scenario}-${strategy}-`,
        }),
      )
    }
  }, 30_000)

  afterAll(async () => {
    await Promise.allSettled(live.values())
    await cluster?.stop()
  })

  for (const [scenario, strategy] of CELLS) {
    it(`${scenario}, ${strategy}: the live verdict and violated invariants are the simulation's`, async () => {
      // Given the same scenario, strategy and seed in memory
      const simulated = runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy, seed: 1}).result

      // When it runs live
      const {result} = await live.get(`${scenario}/${strategy}`)!

      // Then
      expect(result.stoppedBy).toBe('quiet')
      expect(result.verdict).toBe(simulated.verdict)
      expect(result.violations.map((v) => v.invariant).sort()).toEqual(simulated.violations.map((v) => v.invariant).sort())
      expect(result.batches).toEqual(simulated.batches)
    }, 60_000)

    it(`${scenario}, ${strategy}: the live timeline names event types, never the shared topic`, async () => {
      // When
      const {trace} = await live.get(`${scenario}/${strategy}`)!

      // Then: ELS handled every input event, each named by its type
      const handled = trace.flatMap((e) => (e.ev === 'handled' ? [e.type] : []))
      expect(handled.length).toBeGreaterThanOrEqual(3)
      for (const type of handled) expect(ELS_INPUT_TOPICS).toContain(type)
      expect(trace.some((e) => 'type' in e && e.type === SHARED_BATCH_TOPIC)).toBe(false)
      // And the producers' events went out through the relays the strategy asks for
      const relays = new Set(trace.flatMap((e) => (e.ev === 'published' ? [e.svc] : [])))
      expect(relays).toEqual(strategy === 'relay-coordination' ? new Set(['coordinated-relay', 'els-relay']) : new Set(['bos-relay', 'file-relay', 'els-relay']))
    }, 60_000)
  }
})
