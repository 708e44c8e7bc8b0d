import {Flags} from '@oclif/core'

import {TRACE_FORMATS} from '../export/trace-formats.js'
import type {HandlerCommand} from '../sim/consumer/handler-command.js'
import {InputError} from '../sim/input-error.js'

// Flags several commands share, declared once. Cheap to import: the kafkajs module is loaded only
// when --topic-prefix is given, to check it.

/** --kafka: memory (the default: the in-memory bus, in virtual time), local or BROKERS. */
export const kafkaFlag = Flags.custom<string>({
  default: 'memory',
  summary: 'memory (in-memory Kafka, virtual time), local (`racelab kafka up --detach`) or BROKERS (host:port,...): run live there.',
})

/** --topic-prefix: prefix of a live run's topics (and groups); one Kafka cannot take is an InputError. */
export const topicPrefixFlag = Flags.custom<string>({
  summary: 'Prefix of every topic and group.',
  async parse(prefix) {
    const {checkTopicPrefix} = await import('../sim/bus/kafkajs-bus.js')
    try {
      checkTopicPrefix(prefix)
    } catch (error) {
      throw new InputError(`--topic-prefix: ${(error as Error).message}`)
    }
    return prefix
  },
})

/** --state: the state file of the cluster `racelab kafka up --detach` started. */
export const stateFlag = Flags.custom<string>({summary: 'State file of the detached cluster (default .racelab/kafka.json, here or in the nearest parent directory that has one).'})

/**
 * --force: replace an existing file the command writes even though racelab cannot tell it wrote
 * it (see src/sim/files/safe-write.ts). Never a symlink, a directory, a FIFO or a device.
 */
export const forceFlag = (summary = 'Replace an existing FILE that racelab did not write (never a symlink, directory or device).', writes?: string) =>
  // A --force with nothing to write would do nothing: refused, like every such flag.
  // No default: oclif counts a flag with a default as given, which would trip `dependsOn`.
  Flags.boolean({summary, ...(writes === undefined ? {default: false} : {dependsOn: [writes]})})

/** --handler: a team's own ELS handler module, loaded (and its shape checked) by the command. */
export const handlerFlag = Flags.string({
  summary: 'A team’s own ELS handler module (.js, .mjs or .ts) in place of the strategy’s ELS (docs/handlers.md).',
})

/** --handler-cmd: a team's own consumer as a process in any language, over line-delimited JSON. */
export const handlerCmdFlag = Flags.string({
  summary: 'Your consumer as a process, any language, in place of ELS: JSON lines on stdin/stdout (docs/handler-protocol.md).',
})

/** --handler-timeout: how long a consumer process may take over one answer, on the wall clock. */
export const handlerTimeoutFlag = Flags.integer({
  min: 1,
  max: 600_000,
  summary: 'With --handler-cmd: ms the process has to answer one request (default 5000); later stops the run (exit 2).',
})

/** The user's consumer in place of ELS: a module (loaded) or a process (started once to check it answers); nothing when neither. */
export async function userConsumerFlags(flags: {handler?: string; 'handler-cmd'?: string; 'handler-timeout'?: number}): Promise<{
  handler?: string
  handlerCmd?: HandlerCommand
}> {
  if (flags.handler !== undefined && flags['handler-cmd'] !== undefined) {
    throw new InputError('--handler and --handler-cmd: one consumer runs in place of ELS, a module or a process; give one of them')
  }
  if (flags['handler-timeout'] !== undefined && flags['handler-cmd'] === undefined) throw new InputError('--handler-timeout is how long a consumer process may take: it goes with --handler-cmd')
  if (flags['handler-cmd'] !== undefined) {
    const [{DEFAULT_HANDLER_TIMEOUT_MS}, {probeHandlerCommand}] = await Promise.all([import('../sim/consumer/handler-command.js'), import('../sim/consumer/process-consumer.js')])
    const handlerCmd = {command: flags['handler-cmd'], timeoutMs: flags['handler-timeout'] ?? DEFAULT_HANDLER_TIMEOUT_MS}
    probeHandlerCommand(handlerCmd)
    return {handlerCmd}
  }
  return {handler: await loadHandlerFlag(flags.handler)}
}

/** Loads the --handler module (an InputError naming the file when it is not a handler); nothing when absent. */
export async function loadHandlerFlag(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined
  const {loadHandler} = await import('../sim/consumer/handler-loader.js')
  await loadHandler(path)
  return path
}
/** --trace-format: what `--trace FILE` holds (src/export/trace-format.ts); jsonl when absent. No default: it is refused without --trace. */
export const traceFormatFlag = Flags.option({
  options: TRACE_FORMATS,
  summary: 'With --trace: jsonl (the default: a JSON object per event), chrome (trace-event JSON for Perfetto or chrome://tracing) or mermaid (a sequence diagram).',
})
