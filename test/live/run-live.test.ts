import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {hasKcat, kcatValues, SKIP_LINE, startCluster, racelab, type Exit} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

describe.skipIf(!hasKcat)('racelab run --kafka on a local mock cluster', () => {
  let cluster: RunningCluster
  const prefix = `racelab-test-${process.pid}-buffer-`
  let naive: Promise<Exit>
  let buffer: Promise<Exit>
  let human: Promise<Exit>

  beforeAll(async () => {
    cluster = await startCluster()
    // Three runs at once, each under its own topic prefix: their consumer groups form in the same 3 s.
    naive = racelab(['run', '--kafka', cluster.servers, '--scenario', 'content-first', '--strategy', 'naive', '--json'])
    buffer = racelab(['run', '--kafka', cluster.servers, '--scenario', 'content-first', '--strategy', 'buffer', '--topic-prefix', prefix, '--json'])
    human = racelab(['run', '--kafka', cluster.servers, '--scenario', 'registration-first', '--strategy', 'buffer', '--cleanup'])
  })

  afterAll(async () => {
    await Promise.all([naive, buffer, human])
    await cluster?.stop()
  })

  it('content-first, naive: the race happens on the wire (exit 1, ready-exactly-once violated)', async () => {
    const {code, stdout} = await naive
    expect(code).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', stoppedBy: 'quiet', scenario: 'content-first', strategy: 'naive'})
    expect(json.violations.map((v: {invariant: string}) => v.invariant)).toContain('ready-exactly-once')
    expect(json.batches[0]).toMatchObject({batchId: 'b1', excess: 2, ready: 0})
  })

  it('content-first, buffer: the fix holds (exit 0), and the topic holds exactly one BatchEssaysReady', async () => {
    // When
    const {code, stdout} = await buffer

    // Then
    expect(code).toBe(0)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', stoppedBy: 'quiet', kafka: {topicPrefix: prefix, topics: 'auto-created'}})
    expect(json.batches).toEqual([{batchId: 'b1', expected: 2, assigned: 2, failed: 0, excess: 0, ready: 1}])
    expect(json.unpublished).toEqual([])
    expect(json.rerun).toContain(`--kafka ${cluster.servers}`)

    // And kcat, reading the topic itself, sees exactly one BatchEssaysReady envelope
    const ready = await kcatValues(cluster.servers, `${prefix}huleedu.els.batch.essays.ready.v1`)
    expect(ready).toHaveLength(1)
    expect(JSON.parse(ready[0])).toMatchObject({event_type: 'huleedu.els.batch.essays.ready.v1', data: {batch_id: 'b1'}})
  })

  it('without --json: the live timeline, then the verdict and the cluster', async () => {
    const {code, stdout} = await human
    expect(code).toBe(0)
    expect(stdout).toContain('racelab run --kafka: scenario registration-first')
    expect(stdout).toMatch(/bos-relay\s+published BatchEssaysRegistered key=b1 -> p\d@0/)
    expect(stdout).toContain('PASS every invariant holds')
    expect(stdout).toContain('auto-created by the broker with 4 partitions (asked 3')
    // The mock cluster has no admin API: --cleanup says it could not delete the topics
    expect(stdout).toContain('--cleanup could not delete them: this cluster has no admin API')
  })
})
