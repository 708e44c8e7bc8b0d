import {createRequire} from 'node:module'

/**
 * A fix for a kafkajs 2.2.4 hang, installed once, before any consumer runs. kafkajs's fetch loop
 * (`while (isRunning) await fetch(nodeId)`) spins on microtasks alone when a fetch comes back
 * empty without I/O: with every broker gone (kafkajs issues #1384, #1387), and for a fetcher
 * started after its consumer was stopped (`Runner.fetch` returns at once when not running, and a
 * rebalance during the stop makes new fetchers). No timer fires again: the process hangs at full
 * CPU, racelab's deadlines and its exit timer included. An empty fetch now waits one turn of the
 * event loop before it returns: nothing is lost (a real empty fetch has waited maxWaitTime at
 * the broker already) and timers run again, so a live run ends on its own terms.
 */
interface RunnerPrototype {
  fetch(this: unknown, nodeId: number): Promise<unknown[]>
  [YIELDS]?: true
}

const YIELDS = Symbol.for('racelab.kafkajs-fetch-yields')

const turn = (): Promise<void> => new Promise((done) => setImmediate(done))

/** Wraps `Runner.prototype.fetch` of the kafkajs this module resolves to (the one the bus uses). */
export function installFetchYield(): RunnerPrototype {
  const Runner = createRequire(import.meta.url)('kafkajs/src/consumer/runner.js') as {prototype: RunnerPrototype}
  const runner = Runner.prototype
  if (runner[YIELDS]) return runner
  const fetch = runner.fetch
  runner.fetch = async function (this: unknown, nodeId: number) {
    const batches = await fetch.call(this, nodeId)
    if (batches.length === 0) await turn()
    return batches
  }
  runner[YIELDS] = true
  return runner
}
