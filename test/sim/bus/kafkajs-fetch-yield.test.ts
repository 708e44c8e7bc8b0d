import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {installFetchYield} from '../../../src/sim/bus/kafkajs-fetch-yield.js'

const require = createRequire(import.meta.url)

/** A runner as kafkajs's Runner.fetch sees `this`: stopped, so its fetch returns [] at once. */
const stoppedRunner = () => ({running: false, logger: {debug: () => undefined}, consumerGroup: {groupId: 'g', memberId: 'm'}})

describe('installFetchYield', () => {
  it('patches the Runner kafkajs itself uses, once', () => {
    // Given kafkajs's own Runner module (the CommonJS cache gives the bus the same one)
    const Runner = require('kafkajs/src/consumer/runner.js') as {prototype: {fetch: unknown}}
    // When installed twice
    const first = installFetchYield()
    const patched = Runner.prototype.fetch
    installFetchYield()
    // Then it is that prototype, wrapped once
    expect(first).toBe(Runner.prototype)
    expect(Runner.prototype.fetch).toBe(patched)
  })

  it('an empty fetch lets the event loop turn: a fetch loop that comes back empty no longer starves timers', async () => {
    // Given a stopped runner, whose fetch kafkajs answers with [] without any I/O, in a loop as
    // kafkajs's fetcher runs it, and a timer that should end the loop
    const runner = installFetchYield()
    const self = stoppedRunner()
    let timerFired = false
    setTimeout(() => (timerFired = true), 5)
    let fetches = 0
    // When the loop runs until the timer fires (or 100,000 fetches: a starved timer never would)
    while (!timerFired && fetches < 100_000) {
      fetches++
      expect(await runner.fetch.call(self, 0)).toEqual([])
    }
    // Then the timer fired, long before the bound
    expect(timerFired).toBe(true)
    expect(fetches).toBeLessThan(100_000)
  })
})
