import {Flags} from '@oclif/core'

import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../sim/scenario/builtin-scenarios.js'
import {DELAY_TARGETS, parseDelaySpec, parseWakeSpec, type SpecParse} from '../sim/scenario/delay-spec.js'
import {FAULTS, parseFaultSpec} from '../sim/scenario/fault-spec.js'
import {STRATEGIES, STRATEGY_NAMES, type Strategy} from '../sim/scenario/strategy.js'
import {MAX_INVALID, type ShapeSpec} from '../sim/scenario/shape-spec.js'
import type {RunOptions} from '../sim/simulated/run-simulation.js'
import {InputError} from '../sim/input-error.js'
import {decodeSchedule} from '../sim/kernel/schedule.js'
import {MAX_SEED} from '../sim/kernel/seed.js'
import {echo} from '../sim/printable.js'
import {limitsHelp} from './limits-help.js'

// Flag definitions and help text only: this module is imported by every simulating command's
// module, so it imports nothing heavier than the scenario tables (no kafkajs, ink, SQLite, zod).

/** Help text blocks shared by the commands that run simulations. */
export const HELP = {
  scenarios: [...BUILTIN_SCENARIOS.values()].map((s) => `  ${s.name.padEnd(20)} ${s.summary}`).join('\n'),
  strategies: Object.entries(STRATEGIES)
    .map(([name, plan]) => `  ${name.padEnd(20)} ${plan.summary}`)
    .join('\n'),
  delays: [
    ...Object.entries(DELAY_TARGETS).map(([name, summary]) => `  ${name.padEnd(20)} ${summary}`),
    '  values: 2s | 500ms±100ms | 300ms..2s | 0|500ms|1s  (units us, ms, s, m, h)',
  ].join('\n'),
  faults: [
    ...Object.entries(FAULTS).map(([name, summary]) => `  ${name.padEnd(29)} ${summary}`),
    '  syntax: NAME[=ARG][@P%]  e.g. relay-crash-after-publish=bos@20%, broker-unavailable=1s..3s, crash=els,bos-relay@5%',
  ].join('\n'),
}

/** The reference every simulating command's --help ends with. */
export const SIM_REFERENCE = `SCENARIOS
${HELP.scenarios}

STRATEGIES
${HELP.strategies}

DELAYS (--delay TARGET=VALUE; ranges and choices are drawn from the seed)
${HELP.delays}

FAULTS (--fault, fired deterministically from the seed)
${HELP.faults}

${limitsHelp(['durations', 'seeds'])}`

/** Flags that shape a simulated run (everything but the scenario and strategy selection). */
export const shapeFlags = {
  essays: Flags.integer({min: 1, max: 10_000, summary: 'Essays per batch (overrides the scenario).'}),
  batches: Flags.integer({min: 1, max: 10_000, summary: 'Number of batches (overrides the scenario).'}),
  invalid: Flags.integer({min: 0, max: MAX_INVALID, summary: 'Invalid uploads per batch, at positions drawn from the seed.'}),
  delay: Flags.string({multiple: true, summary: 'TARGET=VALUE delay, repeatable (see DELAYS).'}),
  fault: Flags.string({multiple: true, summary: 'Fault to inject, repeatable (see FAULTS).'}),
  wake: Flags.string({multiple: true, summary: 'SERVICE=on|off: whether writes wake that relay (bos=off is the real bug).'}),
  'els-instances': Flags.integer({min: 1, max: 16, default: 1, summary: 'ELS instances in the consumer group.'}),
}

export const scenarioFlag = Flags.option({options: SCENARIO_NAMES, default: 'content-first', summary: 'Built-in scenario.'})
export const strategyFlag = Flags.option({options: STRATEGY_NAMES, default: 'buffer' as Strategy, summary: 'Strategy.'})
export const seedFlag = (options: {summary?: string} = {}) =>
  Flags.integer({default: 1, min: 0, max: MAX_SEED, summary: 'Seed for every random choice; same seed, same trace.', ...options})

/** A --schedule as given (for `reproduce:` lines) and the choices it decodes to. */
export interface ScheduleFlagValue {
  text: string
  choices: number[]
}

/** --schedule: a run's recorded choices; a malformed one is an InputError naming the flag. */
export const scheduleFlag = Flags.custom<ScheduleFlagValue>({
  summary: 'Replay these recorded choices (from --json or a shrunk counterexample) instead of drawing from the seed.',
  async parse(text) {
    try {
      return {text, choices: decodeSchedule(text)}
    } catch (error) {
      throw new InputError(`--schedule: ${(error as Error).message}`)
    }
  },
})

export type ShapeFlagValues = ShapeSpec

/**
 * The flags of one simulated run, in the order every simulating command lists them: the scenario,
 * the strategy, the seed, the shape flags and (unless `schedule: false`, a command that draws its
 * own choices) --schedule. `seed` replaces the seed's summary where the command uses it otherwise.
 */
export function runFlags(options: {seed?: string; schedule: false}): ReturnType<typeof selectionFlags>
export function runFlags(options?: {seed?: string; schedule?: true}): ReturnType<typeof selectionFlags> & ReturnType<typeof replayFlags>
export function runFlags(options: {seed?: string; schedule?: boolean} = {}) {
  const flags = selectionFlags(options.seed)
  return options.schedule === false ? flags : {...flags, ...replayFlags()}
}

function replayFlags() {
  return {schedule: scheduleFlag()}
}

function selectionFlags(seedSummary?: string) {
  return {
    scenario: scenarioFlag(),
    strategy: strategyFlag(),
    seed: seedFlag(seedSummary === undefined ? {} : {summary: seedSummary}),
    ...shapeFlags,
  }
}

/** What the flags of `runFlags` parse to. */
export interface RunFlagValues extends ShapeFlagValues {
  scenario: string
  strategy: Strategy
  seed: number
  schedule?: ScheduleFlagValue
}

/** The run the flags of `runFlags` describe; a bad value is an InputError naming its flag. */
export function runOptions(flags: RunFlagValues): RunOptions {
  return {
    ...shapeOptions(flags),
    scenario: BUILTIN_SCENARIOS.get(flags.scenario)!,
    strategy: flags.strategy,
    seed: flags.seed,
    schedule: flags.schedule?.choices,
  }
}

/** `--schedule S` when the run replayed one (the last of a `reproduce:` line's flags). */
export function scheduleArgs(flags: {schedule?: ScheduleFlagValue}): string[] {
  return flags.schedule === undefined ? [] : [`--schedule ${flags.schedule.text}`]
}

function each<T>(flag: string, values: string[] | undefined, parse: (text: string) => SpecParse<T>): T[] {
  return (values ?? []).map((text) => {
    const parsed = parse(text)
    if (!parsed.ok) throw new InputError(`${flag} ${echo(text)}: ${parsed.error}`)
    return parsed.value
  })
}

/** The run options these flags describe; a bad value is an InputError naming its flag. */
export function shapeOptions(flags: ShapeFlagValues): Omit<RunOptions, 'scenario' | 'strategy' | 'seed'> {
  return {
    essays: flags.essays,
    batches: flags.batches,
    invalid: flags.invalid,
    delays: each('--delay', flags.delay, parseDelaySpec),
    faults: each('--fault', flags.fault, parseFaultSpec),
    wakes: each('--wake', flags.wake, parseWakeSpec),
    elsInstances: flags['els-instances'],
  }
}

/** The flags that reproduce these options on a command line (for `reproduce:` lines). */
export function shapeArgs(flags: ShapeFlagValues): string[] {
  const args: string[] = []
  if (flags.essays !== undefined) args.push(`--essays ${flags.essays}`)
  if (flags.batches !== undefined) args.push(`--batches ${flags.batches}`)
  if (flags.invalid !== undefined) args.push(`--invalid ${flags.invalid}`)
  for (const d of flags.delay ?? []) args.push(`--delay '${d}'`)
  for (const f of flags.fault ?? []) args.push(`--fault '${f}'`)
  for (const w of flags.wake ?? []) args.push(`--wake ${w}`)
  if (flags['els-instances'] !== 1) args.push(`--els-instances ${flags['els-instances']}`)
  return args
}
