import {describe, expect, it} from 'vitest'

import {FetchSpinGuard} from '../../../src/sim/bus/fetch-spin-guard.js'

const turn = (): Promise<void> => new Promise((done) => setImmediate(done))

describe('FetchSpinGuard', () => {
  it('trips once more than `limit` fetches start without the event loop turning', () => {
    // Given a guard of 100
    const guard = new FetchSpinGuard(100)
    // When 100 fetches start in one turn, then one more
    const first = Array.from({length: 100}, () => guard.fetched())
    // Then only the 101st trips it
    expect(first.every((tripped) => !tripped)).toBe(true)
    expect(guard.fetched()).toBe(true)
  })

  it('never trips when each fetch waits for a later turn, however many there are', async () => {
    // Given a guard of 10
    const guard = new FetchSpinGuard(10)
    // When 50 fetches start, one per turn of the loop (as a fetch waiting on I/O or a timer does)
    const tripped: boolean[] = []
    for (let i = 0; i < 50; i++) {
      tripped.push(guard.fetched())
      await turn()
    }
    // Then it never trips
    expect(tripped.some(Boolean)).toBe(false)
  })

  it('trips on a loop that awaits only microtasks, as kafkajs does with every broker gone', async () => {
    // Given a guard of 1,000 and a fetch loop whose fetch resolves without I/O
    const guard = new FetchSpinGuard(1000)
    let fetches = 0
    // When it loops until the guard trips (at most 5,000 times)
    while (fetches < 5000) {
      fetches++
      if (guard.fetched()) break
      await Promise.resolve([])
    }
    // Then it tripped right after its limit
    expect(fetches).toBe(1001)
  })
})
