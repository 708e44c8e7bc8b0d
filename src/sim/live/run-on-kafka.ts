import {dirname} from 'node:path'

import {InputError} from '../input-error.js'
import {checkTopicPrefix, KafkaUnreachableError, parseBrokerList} from '../bus/kafkajs-bus.js'
import {DEFAULT_STATE_FILE, localServers} from '../../kafka-cluster/mock-cluster.js'
import {findStateFile} from '../../kafka-cluster/local-state.js'
import type {DelaySetting, WakeSetting} from '../scenario/delay-spec.js'
import type {Fault} from '../scenario/fault-spec.js'
import type {ScenarioDefinition} from '../scenario/scenario.js'
import type {Strategy} from '../scenario/strategy.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {defaultTopicPrefix, LIVE_FAULTS, runLive, type LiveRun, type LiveRunResult} from './run-live.js'

/** `racelab run --kafka BROKERS --json`: the live result and the command that runs it again. */
export type LiveRunJson = LiveRunResult & {rerun: string}

export interface LiveCommandOptions {
  /** The --kafka value: `host:port[,host:port...]`. */
  kafka: string
  topicPrefix?: string
  scenario: ScenarioDefinition
  strategy: Strategy
  seed: number
  essays?: number
  batches?: number
  delays?: readonly DelaySetting[]
  wakes?: readonly WakeSetting[]
  faults?: readonly Fault[]
  elsInstances?: number
  dbDir?: string
  /** Delete the run's topics afterwards where the cluster allows (--cleanup). */
  cleanup?: boolean
  /** The shaping flags as given, for the rerun line. */
  shapeArgs: readonly string[]
  onTrace?: (event: TraceEvent) => void
  /** `external`: ELS runs elsewhere and is judged black-box from its topics (docs/black-box.md). */
  els?: 'external'
  /** Called once connected, with the brokers and topic prefix, before the timeline starts. */
  onStarted?: (started: {brokers: string[]; topicPrefix: string; clusterId: string}) => void
}

/**
 * The `--kafka BROKERS` branch of `racelab run`: checks the live-only input (one line, exit 2 on
 * anything wrong, an unreachable cluster included), then runs the scenario on the cluster.
 */
export async function runOnKafka(options: LiveCommandOptions): Promise<LiveRun & {json: LiveRunJson}> {
  const brokers = resolveBrokers(options.kafka, 'memory, local or host:port[,host:port...]')
  const external = options.els === 'external'
  if (external) checkExternal(options)
  // A consumer deployed elsewhere reads the real topic names unless told otherwise.
  const topicPrefix = options.topicPrefix ?? (external ? '' : defaultTopicPrefix(options.seed))
  try {
    checkTopicPrefix(topicPrefix)
  } catch (error) {
    throw new InputError(`--topic-prefix: ${(error as Error).message}`)
  }
  for (const fault of options.faults ?? []) {
    if (!LIVE_FAULTS.includes(fault.kind)) {
      throw new InputError(`--fault ${fault.kind}: not available with --kafka (live faults: ${LIVE_FAULTS.join(', ')})`)
    }
  }
  for (const {target} of options.delays ?? []) {
    if (target === 'kafka') throw new InputError('--delay kafka: not available with --kafka (the broker’s latency is real)')
  }
  let run: LiveRun
  try {
    run = await runLive({
      brokers,
      topicPrefix,
      scenario: options.scenario,
      strategy: options.strategy,
      seed: options.seed,
      essays: options.essays,
      batches: options.batches,
      delays: options.delays,
      wakes: options.wakes,
      faults: options.faults,
      elsInstances: options.elsInstances,
      dbDir: options.dbDir,
      cleanup: options.cleanup,
      ...(external ? {els: 'external' as const} : {}),
      onTrace: options.onTrace,
      onStarted: ({clusterId}) => options.onStarted?.({brokers, topicPrefix, clusterId}),
      logSink: process.env.RACELAB_DEBUG ? (line) => process.stderr.write(line + '\n') : undefined,
    })
  } catch (error) {
    if (error instanceof KafkaUnreachableError) throw new InputError(`--kafka: ${error.message}`)
    throw error
  }
  const rerun = [
    'racelab run',
    `--kafka ${brokers.join(',')}`,
    `--scenario ${run.result.scenario}`,
    `--strategy ${run.result.strategy}`,
    `--seed ${run.result.seed}`,
    ...(external ? ['--els external', ...(topicPrefix === '' ? [] : [`--topic-prefix ${topicPrefix}`])] : []),
    ...options.shapeArgs,
  ].join(' ')
  return {...run, json: {...run.result, rerun}}
}

/** ELS's own faults and instances belong to the consumer's deployment: refused with --els external. */
const ELS_FAULTS: readonly Fault['kind'][] = ['register-db-error', 'consumer-crash-before-commit', 'els-restart']

function checkExternal(options: LiveCommandOptions): void {
  const why = 'ELS runs elsewhere (--els external): racelab runs and faults only BOS, the File Service and their relays'
  if (options.strategy !== 'naive' && options.strategy !== 'buffer') {
    throw new InputError(`--strategy ${options.strategy}: publishes to the shared topic, which a deployed ELS does not read; with --els external use naive or buffer (the same producers)`)
  }
  if ((options.elsInstances ?? 1) !== 1) throw new InputError(`--els-instances: ${why}; the consumer's deployment decides its instances`)
  for (const fault of options.faults ?? []) {
    const elsOnly =
      ELS_FAULTS.includes(fault.kind) ||
      (fault.kind === 'crash' && fault.targets.every((t) => t === 'els' || t === 'els-relay')) ||
      ((fault.kind === 'publish-error' || fault.kind === 'relay-crash-after-publish') && fault.relays.every((r) => r === 'els'))
    if (elsOnly) throw new InputError(`--fault ${fault.kind}: ${why}`)
  }
}

/**
 * The brokers a --kafka value names: `local` is the cluster `racelab kafka up --detach` recorded
 * in .racelab/kafka.json, here or in the nearest parent directory that has one; anything else is
 * a host:port list. Bad input is an InputError; for `local` it says where it looked.
 */
export function resolveBrokers(spec: string, expected: string): string[] {
  if (spec === 'local') {
    const stateFile = findStateFile()
    const servers = stateFile.found ? localServers(stateFile.path) : undefined
    if (servers === undefined) {
      const where = stateFile.found
        ? `the cluster recorded in ${stateFile.path} is not running`
        : `no ${DEFAULT_STATE_FILE} in ${dirname(dirname(stateFile.path))} or any parent directory`
      throw new InputError(`--kafka local: ${where}; start one with: racelab kafka up --detach, or give its servers: --kafka host:port (racelab kafka status --state FILE prints them)`)
    }
    return parseBrokerList(servers)
  }
  try {
    return parseBrokerList(spec)
  } catch (error) {
    throw new InputError(`--kafka ${spec}: ${(error as Error).message}; use ${expected}`)
  }
}
