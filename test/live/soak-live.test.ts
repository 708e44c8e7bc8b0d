import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {soak} from '../../src/sim/bench/soak.js'
import {ms} from '../../src/sim/kernel/time.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {hasKcat, SKIP_LINE, startCluster} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

describe.skipIf(!hasKcat)('the soak of racelab bench --kafka, small', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('3,000 rows through both relays, 3 relay crashes and a broker restart: the wire holds every row, duplicates counted', async () => {
    // When
    const relayEvents: TraceEvent[] = []
    const result = await soak({
      brokers: cluster.servers.split(','),
      topicPrefix: `soak-test-${process.pid}-`,
      events: 3000,
      relayCrashes: 3,
      outage: ms(1000),
      rate: 5000,
      onRelayEvent: (event) => relayEvents.push(event),
    })

    // Then: the faults happened as planned
    expect(result.rows).toEqual({bos: 600, file: 2400})
    expect(result.relayCrashes).toEqual({planned: 3, happened: 3})
    expect(relayEvents.filter((e) => e.ev === 'relay-crashed')).toHaveLength(3)
    expect(result.outage.atAcked).toBeGreaterThanOrEqual(1500)
    expect(result.outage.failedRequests).toBeGreaterThan(0)
    expect(relayEvents.some((e) => e.ev === 'publish-failed' && /ECONNREFUSED|ECONNRESET/.test(e.error))).toBe(true)
    // And the wire holds every row at least once; each crash re-sent at least the row it crashed on
    expect(result.wire).toMatchObject({rowsSeen: 3000, missing: 0, foreign: 0, unread: 0})
    expect(result.wire.duplicates).toBeGreaterThanOrEqual(3)
    expect(result.wire.messages).toBe(3000 + result.wire.duplicates)
    expect(result.unpublished).toBe(0)
    expect(result.timedOut).toBe(false)
    expect(result.goals.map((g) => [g.name, g.met])).toEqual([
      ['every-row-on-the-wire', true],
      ['wire-equals-rows', true],
      ['nothing-unpublished', true],
      ['faults-happened', true],
    ])
    expect(result.passed).toBe(true)
  }, 120_000)

  it('a broker restart longer than the relays retry for: rows are given up, the soak says so and fails', async () => {
    // When: 8 s without brokers; a row is given up at its 5th failed publish (about 3 s of back-off)
    const result = await soak({brokers: cluster.servers.split(','), topicPrefix: `soak-long-${process.pid}-`, events: 1000, relayCrashes: 0, outage: ms(8000), rate: 5000})

    // Then
    expect(result.givenUp).toBeGreaterThan(0)
    expect(result.unpublished).toBe(result.givenUp)
    expect(result.wire.missing).toBeGreaterThan(0)
    expect(result.goals.find((g) => g.name === 'nothing-unpublished')).toMatchObject({met: false, detail: expect.stringContaining('given up after 5 failed publishes')})
    expect(result.goals.find((g) => g.name === 'every-row-on-the-wire')?.met).toBe(false)
    expect(result.passed).toBe(false)
  }, 120_000)
})
