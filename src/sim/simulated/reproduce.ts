import {DEFAULT_HANDLER_TIMEOUT_MS, type HandlerCommand} from '../consumer/handler-command.js'
import {chooserArgs} from '../kernel/chooser-spec.js'
import {encodeSchedule} from '../kernel/schedule.js'
import {formatDelay} from '../scenario/delay-spec.js'
import {formatFault} from '../scenario/fault-spec.js'
import type {RunOptions, RunResult} from './run-simulation.js'

/** The one command line that reproduces a run exactly: its selection plus the shaping flags. */
export function reproduceCommand(result: Pick<RunResult, 'scenario' | 'strategy' | 'seed'>, shapeArgs: readonly string[]): string {
  return ['racelab run', `--scenario ${result.scenario}`, `--strategy ${result.strategy}`, `--seed ${result.seed}`, ...shapeArgs].join(' ')
}

/** The command line for a run described by options (a shrunk counterexample, with its schedule). */
export function commandForOptions(options: RunOptions): string {
  const args: string[] = []
  if (options.essays !== undefined) args.push(`--essays ${options.essays}`)
  if (options.batches !== undefined) args.push(`--batches ${options.batches}`)
  if (options.invalid !== undefined) args.push(`--invalid ${options.invalid}`)
  for (const {target, delay} of options.delays ?? []) args.push(`--delay '${target}=${formatDelay(delay)}'`)
  for (const {service, wake} of options.wakes ?? []) args.push(`--wake ${service}=${wake ? 'on' : 'off'}`)
  for (const fault of options.faults ?? []) args.push(`--fault '${formatFault(fault)}'`)
  if ((options.elsInstances ?? 1) !== 1) args.push(`--els-instances ${options.elsInstances}`)
  args.push(...userConsumerArgs(options))
  args.push(...chooserArgs(options.chooser))
  if (options.schedule !== undefined && options.schedule.length > 0) args.push(`--schedule ${encodeSchedule(options.schedule)}`)
  return reproduceCommand({scenario: options.scenario.name, strategy: options.strategy, seed: options.seed}, args)
}

/** `--handler PATH`, quoted for a shell when the path needs it. */
export function handlerArg(path: string): string {
  return `--handler ${shellWord(path)}`
}

/** `--handler-cmd 'COMMAND'` (and `--handler-timeout MS` when not the default): a consumer process's flags. */
export function handlerCmdArgs(cmd: HandlerCommand): string[] {
  return [`--handler-cmd ${`'${cmd.command.replace(/'/g, `'\\''`)}'`}`, ...(cmd.timeoutMs === DEFAULT_HANDLER_TIMEOUT_MS ? [] : [`--handler-timeout ${cmd.timeoutMs}`])]
}

/** The flags of the user's consumer in place of ELS, a module or a process, if any. */
export function userConsumerArgs(options: Pick<RunOptions, 'handler' | 'handlerCmd'>): string[] {
  if (options.handler !== undefined) return [handlerArg(options.handler)]
  return options.handlerCmd === undefined ? [] : handlerCmdArgs(options.handlerCmd)
}

function shellWord(text: string): string {
  return /^[\w./@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
