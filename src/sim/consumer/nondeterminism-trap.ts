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

  /** `what`: the handler file and the event, for the message (`examples/x.ts, handling EssayContentProvisioned b1-f1 at 0.512s`). */
  run<T>(what: () => string, work: () => T): T {
    const saved = {now: Date.now, random: Math.random, Date: globalThis.Date, performanceNow: performance.now}
    const trip = (call: string): never => {
      this.tripped ??= new NondeterministicHandler(`handler is nondeterministic: it called ${call} (${what()}); a handler gets the time as ctx.now and draws no randomness`)
      throw this.tripped
    }
    const RealDate = saved.Date
    const trapped = new Proxy(RealDate, {
      construct: (target, args, newTarget) => (args.length === 0 ? trip('new Date()') : Reflect.construct(target, args, newTarget)),
      apply: () => trip('Date()'),
      get: (target, key, receiver) => (key === 'now' ? () => trip('Date.now()') : Reflect.get(target, key, receiver)),
    })
    globalThis.Date = trapped
    Math.random = () => trip('Math.random()')
    performance.now = () => trip('performance.now()')
    try {
      const result = work()
      if (this.tripped) throw this.tripped
      return result
    } catch (error) {
      throw this.tripped ?? error
    } finally {
      globalThis.Date = RealDate
      Math.random = saved.random
      performance.now = saved.performanceNow
    }
  }
}
