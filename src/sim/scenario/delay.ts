import type {Chooser} from '../kernel/chooser.js'
import type {Micros} from '../kernel/time.js'

/** A delay as configured: a fixed value, a range, or one of a few values (all drawn via the chooser). */
export type Delay =
  | {kind: 'fixed'; value: Micros}
  | {kind: 'range'; min: Micros; max: Micros}
  | {kind: 'one-of'; values: readonly Micros[]}

export const fixed = (value: Micros): Delay => ({kind: 'fixed', value})
export const range = (min: Micros, max: Micros): Delay => ({kind: 'range', min, max})
export const oneOf = (...values: Micros[]): Delay => ({kind: 'one-of', values})

/**
 * Draws a delay. `site` names whose wait it is (a delay target: `bos-relay`, `kafka`, ...), for
 * the choosers that schedule by actor (PCT, POS); the seeded chooser ignores it.
 */
export function draw(delay: Delay, chooser: Chooser, site?: string): Micros {
  switch (delay.kind) {
    case 'fixed':
      return delay.value
    case 'range':
      return chooser.between(delay.min, delay.max, chooser.informed && site !== undefined ? {kind: 'delay', site} : undefined)
    case 'one-of':
      return delay.values[chooser.pick(delay.values.length, chooser.informed && site !== undefined ? {kind: 'delay', site, values: delay.values} : undefined)]
  }
}

export function maxOf(delay: Delay): Micros {
  switch (delay.kind) {
    case 'fixed':
      return delay.value
    case 'range':
      return delay.max
    case 'one-of':
      return Math.max(...delay.values)
  }
}
