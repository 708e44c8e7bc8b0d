import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {benchLive, percentiles} from '../../src/sim/bench/bench.js'
import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {hasKcat, racelab, startCluster} from './support.js'

describe('percentiles', () => {
  it('nearest rank', () => {
    const values = Array.from({length: 100}, (_, i) => i + 1)
    expect(percentiles(values)).toEqual({mean: 50.5, p50: 50, p90: 90, p99: 99, max: 100})
    expect(percentiles([])).toEqual({mean: 0, p50: 0, p90: 0, p99: 0, max: 0})
  })
})

describe.skipIf(!hasKcat)('racelab bench --kafka (small)', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('measures raw kafkajs, the relay and end-to-end latency on the same cluster', async () => {
    // When
    const result = await benchLive({brokers: cluster.servers.split(','), topicPrefix: `bench-test-${process.pid}-`, events: 500, latencyBatches: 5})

    // Then: every section is there and counts add up; figures are measured, never asserted
    expect(result.kafka.partitions).toBe(4)
    expect(result.rawKafkajs).toMatchObject({events: 500, batchSize: 100})
    expect(result.rawKafkajs.eventsPerSecond).toBeGreaterThan(0)
    expect(result.relay.events).toBe(500)
    expect(result.relay.eventsPerSecond).toBeGreaterThan(0)
    expect(result.endToEnd).toMatchObject({messages: 25, batches: 5, essays: 4})
    expect(result.endToEnd.latencyMs.max).toBeGreaterThanOrEqual(result.endToEnd.latencyMs.p50)
  })

  it('the command exits 1 when the relay missed its goal (half of raw kafkajs), 0 when it met it', async () => {
    // When
    const {code, stdout} = await racelab(['bench', '--only', 'live,soak', '--kafka', cluster.servers, '--events', '500', '--batches', '5', '--soak-events', '1000', '--json'])
    // Then: whichever way the measurement went, the exit code says it (the soak's goals too)
    const json = JSON.parse(stdout)
    expect(json.soak).toMatchObject({events: 1000})
    expect(code).toBe(json.live.relay.ratioToRaw >= 0.5 && json.soak.passed ? 0 : 1)
  }, 120_000)
})
