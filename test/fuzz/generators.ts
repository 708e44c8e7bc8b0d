import {type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus} from 'pure-rand'

/**
 * Generators of bad (and good) input for test/fuzz/bad-input.fuzz.test.ts: seeded, so every run
 * of the suite tries the same cases. To try a new kind of input, add one line to a list below.
 */
export class Gen {
  private readonly rng: RandomGenerator

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed)
  }

  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.rng)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]
  }

  /** `count` values of `make`, each from this generator. */
  many<T>(count: number, make: (gen: Gen) => T): T[] {
    return Array.from({length: count}, () => make(this))
  }
}

/** Names that live on Object.prototype (or look like they might). */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__']

/** Strings that break naive parsers. */
export const NASTY = [
  '',
  ' ',
  '\u001B[2J\u001B[31m',
  '\u0000',
  '\n',
  'x'.repeat(5000),
  '9'.repeat(400),
  'Infinity',
  '-Infinity',
  'NaN',
  '1e308',
  '-0',
  '0x10',
  '٣s',
  '±',
  '..',
  '|',
  '@',
  '=',
  '%',
]

const NUMBERS = ['0', '1', '1.5', '999', '720', '721', '1000', '43200', '2592000', '2592001', '9007199254740991', '9007199254740993', '1e3', '00001', '0.0000001', '-1', '.5', '5.']
const UNITS = ['us', 'ms', 's', 'm', 'h', 'S', 'H', 'd', 'x', '', ...PROTOTYPE_NAMES]

export function duration(gen: Gen): string {
  const roll = gen.int(0, 9)
  if (roll === 0) return gen.pick(NASTY)
  return `${gen.pick(NUMBERS)}${gen.pick(UNITS)}`
}

export function delayValue(gen: Gen): string {
  switch (gen.int(0, 4)) {
    case 0:
      return `${duration(gen)}±${duration(gen)}`
    case 1:
      return `${duration(gen)}..${duration(gen)}`
    case 2:
      return gen.many(gen.int(1, 4), duration).join('|')
    default:
      return duration(gen)
  }
}

const TARGETS = ['bos-relay', 'file-relay', 'els-relay', 'bos-poll', 'kafka', 'els', 'file-processing', 'upload-gap', 'batch-gap', 'pending-timeout', 'nope', ...PROTOTYPE_NAMES]

export function delaySpec(gen: Gen): string {
  if (gen.int(0, 12) === 0) return gen.pick(NASTY)
  return `${gen.pick(TARGETS)}=${delayValue(gen)}`
}

const FAULT_NAMES = ['relay-crash-after-publish', 'consumer-crash-before-commit', 'els-restart', 'register-db-error', 'broker-unavailable', 'meteor', ...PROTOTYPE_NAMES]
const CHANCES = ['', '@0%', '@10%', '@99.9%', '@100%', '@100.0%', '@101%', '@-1%', '@5', '@%', '@1e2%', '@NaN%']
const ARGS = ['', '=bos', '=bos,file', '=all', '=kafka', '=', '=1s..2s', '=0..1000h', '=0..720h', '=3s..1s', '=1s', '=constructor']

export function faultSpec(gen: Gen): string {
  if (gen.int(0, 12) === 0) return gen.pick(NASTY)
  return `${gen.pick(FAULT_NAMES)}${gen.pick(ARGS)}${gen.pick(CHANCES)}`
}

const SERVICES = ['bos', 'file', 'els', 'kafka', 'BOS', ...PROTOTYPE_NAMES]
const STATES = ['on', 'off', 'maybe', '', 'ON']

export function wakeSpec(gen: Gen): string {
  if (gen.int(0, 12) === 0) return gen.pick(NASTY)
  return `${gen.pick(SERVICES)}=${gen.pick(STATES)}`
}

/** Seeds as typed: in range, at its edges, past it, not integers at all. */
export const SEEDS = ['0', '1', '42', '2147483647', '2147483648', '4294967295', '4294967296', '9007199254740991', '9007199254740992', '1e3', '-1', '1.5', 'abc', '']

export function seed(gen: Gen): string {
  return gen.pick(SEEDS)
}

/** A valid fixture (content-first, three deliveries); `fixtureText` changes one of its lines. */
export const FIXTURE_LINES = [
  'version: 1',
  'description: contents before the registration',
  'scenario: content-first',
  'topology:',
  '  batches:',
  '    - id: b1',
  '      essays: 2',
  '      files: [{id: f1}, {id: f2}]',
  'delays: [kafka=5ms]',
  'faults: [els-restart@10%]',
  'wakes: [bos=on]',
  'seed: 1',
  'expect:',
  '  buffer: pass',
]

const FIXTURE_EDITS: ((gen: Gen) => [number, string])[] = [
  (gen) => [1, `description: ${JSON.stringify(gen.pick(NASTY))}`],
  (gen) => [1, `description: ${'y'.repeat(gen.pick([1999, 2000, 2001, 100_000]))}`],
  (gen) => [8, `delays: [${JSON.stringify(delaySpec(gen))}]`],
  (gen) => [9, `faults: [${JSON.stringify(faultSpec(gen))}]`],
  (gen) => [10, `wakes: [${JSON.stringify(wakeSpec(gen))}]`],
  (gen) => [11, `seed: ${gen.pick(SEEDS)}`],
  (gen) => [13, `  ${gen.pick([...PROTOTYPE_NAMES, 'buffer', 'naive'])}: pass`],
  (gen) => [12, `${gen.pick([...PROTOTYPE_NAMES, 'expect', 'seed'])}:`],
  (gen) => [6, `      essays: ${gen.pick(['0', '2', '10001', '1e400', '-1', '"2"', '[]'])}`],
  (gen) => [gen.int(0, 13), gen.pick(['', '&a [1]', '*a', '!!js/function x', '{', '"', '\t- x'])],
]

export function fixtureText(gen: Gen): string {
  const lines = [...FIXTURE_LINES]
  const [index, line] = gen.pick(FIXTURE_EDITS)(gen)
  lines[index] = line
  return lines.join('\n') + '\n'
}

/** Tokens a user might type where a flag or a path goes. */
export const FLAG_TOKENS = ['--bogus', '--bogus=1', '-x', '-', '--strateg', '--Strategy', '--__proto__', '--constructor', '-\u001B[31m', '--json=no']

/** Whole-number flags as typed (`bench --soak-events`): in range, at its edges, past it, not numbers. */
export const COUNTS = ['0', '1', '100', '100000', '10000000', '10000001', '9007199254740993', '-1', '1.5', '1e5', '0x10', 'many', '']

export function count(gen: Gen): string {
  return gen.int(0, 5) === 0 ? gen.pick(NASTY) : gen.pick(COUNTS)
}

/** Option values (`step --timeline`): the valid ones, near misses, prototype names. */
export function timelineValue(gen: Gen): string {
  return gen.int(0, 4) === 0 ? gen.pick(NASTY) : gen.pick(['short', 'full', 'FULL', 'Full', 'shor', 'all', ...PROTOTYPE_NAMES])
}
