import {InputError} from '../input-error.js'

/**
 * A handler that read the wall clock or drew randomness: its runs cannot be replayed, so nothing
 * racelab says about them holds. Bad input (exit 2), and it stops the run: the consumer loop
 * lets an InputError through instead of retrying the message.
 */
export class NondeterministicHandler extends InputError {}

/**
 * Traps the wall clock and randomness while a user's handler runs (docs/handlers.md#rules):
 * `Date.now()`, `new Date()` and `Date()` without arguments, `performance.now()` and
 * `Math.random()` throw a NondeterministicHandler naming the call and the event being handled.
 * `new Date(value)` stays allowed (it reads no clock). The real functions are back once the
 * call returns, and the first trip is remembered even if the handler catches the error.
 */
export class NondeterminismTrap {
  private tripped: NondeterministicHandler | undefined

  /** `what`: the handler file and the event, for the message (`examples/x.ts, onContent, handling EssayContentProvisioned … at 0.512s`). */
  run<T>(what: () => string, work: () => T): T {
    // The traps are built once; a call only swaps them in and out (a handler call is a hot path).
    const outer = current
    current = {trap: this, what}
    if (outer === undefined) install()
    try {
      const result = work()
      if (this.tripped) throw this.tripped
      return result
    } catch (error) {
      throw this.tripped ?? error
    } finally {
      current = outer
      if (outer === undefined) restore()
    }
  }

  /** @internal */
  trip(call: string, what: () => string): never {
    this.tripped ??= new NondeterministicHandler(`handler is nondeterministic: it called ${call} (${what()}); a handler gets the time as ctx.now and draws no randomness`)
    throw this.tripped
  }
}

let current: {trap: NondeterminismTrap; what: () => string} | undefined
const trip = (call: string): never => {
  if (current === undefined) throw new Error(`${call} trapped outside a handler call`)
  return current.trap.trip(call, current.what)
}

const real = {now: Date.now, random: Math.random, Date: globalThis.Date, performanceNow: performance.now}
const trapped = {
  Date: new Proxy(real.Date, {
    construct: (target, args, newTarget) => (args.length === 0 ? trip('new Date()') : Reflect.construct(target, args, newTarget)),
    apply: () => trip('Date()'),
    get: (target, key, receiver) => (key === 'now' ? trappedNow : Reflect.get(target, key, receiver)),
  }),
  random: () => trip('Math.random()'),
  performanceNow: () => trip('performance.now()'),
}
const trappedNow = () => trip('Date.now()')

/** What install replaced, put back by restore (whatever it was then). */
let saved = {...real}

function install(): void {
  saved = {now: Date.now, random: Math.random, Date: globalThis.Date, performanceNow: performance.now}
  globalThis.Date = trapped.Date
  Math.random = trapped.random
  performance.now = trapped.performanceNow
}

function restore(): void {
  globalThis.Date = saved.Date
  Math.random = saved.random
  performance.now = saved.performanceNow
}
