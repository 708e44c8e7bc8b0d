import {DELAY_TARGETS, parseDelaySpec, parseWakeSpec, type DelayTarget} from '../scenario/delay-spec.js'
import {parseFaultSpec, type FaultKind} from '../scenario/fault-spec.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {STRATEGY_NAMES, type Strategy} from '../scenario/strategy.js'
import type {RunParameters} from '../scenario/run-parameters.js'
import {InputError} from '../input-error.js'
import {decodeSchedule} from '../kernel/schedule.js'
import type {RunOptions} from '../simulated/run-simulation.js'
import type {HandlerCommand} from '../consumer/handler-command.js'
import {handlerCmdArgs} from '../simulated/reproduce.js'

/**
 * What the lab runs, as the flags that say it: the lab changes a run by editing these and
 * simulating again, and the footer prints them as the command that reproduces the current state.
 * Delays, wakes and faults are kept as their flag texts (`bos-relay=2s`), one per target.
 */
export interface LabConfig {
  scenario: string
  strategy: Strategy
  seed: number
  essays?: number
  batches?: number
  invalid?: number
  delays: readonly string[]
  wakes: readonly string[]
  faults: readonly string[]
  elsInstances: number
  /** A recorded schedule replays one run exactly; any change drops it (it no longer fits). */
  schedule?: string
  handler?: string
  /** A user's consumer process (`--handler-cmd`): every re-simulation starts it afresh. */
  handlerCmd?: HandlerCommand
}

/** The wake targets the delay form offers next to the delays. */
export const WAKE_SERVICES = ['bos', 'file', 'els'] as const

/** What a fault toggled on in the lab is (its default chance; an outage needs a window). */
export const FAULT_DEFAULTS: Record<FaultKind, string> = {
  'relay-crash-after-publish': 'relay-crash-after-publish',
  'consumer-crash-before-commit': 'consumer-crash-before-commit',
  'els-restart': 'els-restart',
  'register-db-error': 'register-db-error',
  'broker-unavailable': 'broker-unavailable=1s..2s',
  crash: 'crash',
  'publish-error': 'publish-error',
}

const faultName = (spec: string): string => spec.replace(/[=@].*$/, '')
const delayTarget = (spec: string): string => spec.replace(/=.*$/, '')

function parsed<T>(flag: string, text: string, parse: (text: string) => {ok: true; value: T} | {ok: false; error: string}): T {
  const result = parse(text)
  if (!result.ok) throw new InputError(`${flag} ${text}: ${result.error}`)
  return result.value
}

/** The run options of a lab config; a bad value is an InputError naming its flag. */
export function labRunOptions(config: LabConfig): RunOptions {
  const scenario = BUILTIN_SCENARIOS.get(config.scenario)
  if (!scenario) throw new InputError(`--scenario ${config.scenario}: no such scenario`)
  return {
    scenario,
    strategy: config.strategy,
    seed: config.seed,
    essays: config.essays,
    batches: config.batches,
    invalid: config.invalid,
    delays: config.delays.map((d) => parsed('--delay', d, parseDelaySpec)),
    wakes: config.wakes.map((w) => parsed('--wake', w, parseWakeSpec)),
    faults: config.faults.map((f) => parsed('--fault', f, parseFaultSpec)),
    elsInstances: config.elsInstances,
    schedule: config.schedule === undefined ? undefined : decodeSchedule(config.schedule),
    handler: config.handler,
    handlerCmd: config.handlerCmd,
  }
}

const quoted = (text: string): string => (/^[\w./@+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`)

/** The flags after the command name that reproduce this config (cursor aside). */
export function labArgs(config: LabConfig): string[] {
  const args = [`--scenario ${config.scenario}`, `--strategy ${config.strategy}`, `--seed ${config.seed}`]
  if (config.essays !== undefined) args.push(`--essays ${config.essays}`)
  if (config.batches !== undefined) args.push(`--batches ${config.batches}`)
  if (config.invalid !== undefined) args.push(`--invalid ${config.invalid}`)
  for (const d of config.delays) args.push(`--delay ${quoted(d)}`)
  for (const w of config.wakes) args.push(`--wake ${quoted(w)}`)
  for (const f of config.faults) args.push(`--fault ${quoted(f)}`)
  if (config.elsInstances !== 1) args.push(`--els-instances ${config.elsInstances}`)
  if (config.handler !== undefined) args.push(`--handler ${quoted(config.handler)}`)
  if (config.handlerCmd !== undefined) args.push(...handlerCmdArgs(config.handlerCmd))
  if (config.schedule !== undefined) args.push(`--schedule ${config.schedule}`)
  return args
}

/** The command line that opens the lab on this config again. */
export function labCommand(config: LabConfig): string {
  return ['racelab step', ...labArgs(config)].join(' ')
}

/** Any change makes a new run: a recorded schedule belongs to the old one. */
function changed(config: LabConfig, change: Partial<LabConfig>): LabConfig {
  const next = {...config, ...change}
  delete next.schedule
  return next
}

/** The next strategy in the table's order (after the last, the first). */
export function nextStrategy(strategy: Strategy): Strategy {
  return STRATEGY_NAMES[(STRATEGY_NAMES.indexOf(strategy) + 1) % STRATEGY_NAMES.length]
}

export const withStrategy = (config: LabConfig, strategy: Strategy): LabConfig => changed(config, {strategy})

/** A new seed: the next one, so the lab's walk through seeds is the one verify makes. */
export const withNextSeed = (config: LabConfig): LabConfig => changed(config, {seed: config.seed >= 4_294_967_295 ? 0 : config.seed + 1})

/** Sets one delay target to `value` (`--delay target=value`), replacing any earlier setting of it; checked. */
export function withDelay(config: LabConfig, target: DelayTarget, value: string): LabConfig {
  const spec = `${target}=${value.trim()}`
  parsed('--delay', spec, parseDelaySpec)
  return changed(config, {delays: [...config.delays.filter((d) => delayTarget(d) !== target), spec]})
}

export function withWake(config: LabConfig, service: (typeof WAKE_SERVICES)[number], on: boolean): LabConfig {
  return changed(config, {wakes: [...config.wakes.filter((w) => delayTarget(w) !== service), `${service}=${on ? 'on' : 'off'}`]})
}

export const hasFault = (config: LabConfig, kind: FaultKind): boolean => config.faults.some((f) => faultName(f) === kind)

/** Turns a fault off (every setting of it) or on (at its default). */
export function toggleFault(config: LabConfig, kind: FaultKind): LabConfig {
  return changed(config, {faults: hasFault(config, kind) ? config.faults.filter((f) => faultName(f) !== kind) : [...config.faults, FAULT_DEFAULTS[kind]]})
}

/** The value a delay target had in the run (as the seed drew it and the flags overrode it). */
export function delayValue(parameters: RunParameters, target: DelayTarget): string {
  switch (target) {
    case 'bos-relay':
    case 'file-relay':
    case 'els-relay':
      return parameters.relays[target.replace('-relay', '') as 'bos' | 'file' | 'els'].publishDelay
    case 'bos-poll':
    case 'file-poll':
    case 'els-poll':
      return parameters.relays[target.replace('-poll', '') as 'bos' | 'file' | 'els'].pollInterval
    case 'kafka':
      return parameters.kafkaLatency
    case 'els':
      return parameters.elsHandling
    case 'file-processing':
      return parameters.fileProcessing
    case 'upload-gap':
      return parameters.uploadGap
    case 'batch-gap':
      return parameters.batchGap
    case 'pending-timeout':
      return parameters.pendingTimeout
  }
}

export const DELAY_TARGET_NAMES = Object.keys(DELAY_TARGETS) as DelayTarget[]
