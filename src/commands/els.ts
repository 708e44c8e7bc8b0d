import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {handlerFlag, kafkaFlag, topicPrefixFlag} from '../cli/shared-flags.js'
import {ensureWritableDir} from '../cli/writable-path.js'
import {InputError} from '../sim/input-error.js'

/** `racelab els --json`: one JSON object per line; this is the first, once the consumer is ready. */
export interface ElsReadyJson {
  event: 'ready'
  strategy: string
  handler?: string
  brokers: string[]
  group: string
  topics: string[]
  partitions: number
  db: string
}

export default class ElsService extends BaseCommand {
  static override summary = 'Run racelab’s own ELS as a standalone consumer service on a Kafka cluster'

  static override description = `Runs racelab's ELS (the naive strategy or the buffer fix, or your handler module) as a consumer service on a real cluster, until Ctrl-C or SIGTERM: a consumer group on ELS's input topics, one transaction of its own SQLite database per message, its outbox and relay publishing to ELS's output topics. It is the consumer a black-box run judges from outside: racelab run --kafka BROKERS --els external (docs/black-box.md). Prints one line when it is ready (its group joined), then a timeline line per event; --json prints one JSON object per line ({"event":"ready",...}, then the events, then {"event":"stopped"}).

A stop leaves the group (a message in hand is not committed, so Kafka redelivers it), lets the relay publish what the last handlings wrote, closes, and exits 0. Its database starts empty each time the service starts.

${exitCodesHelp({0: 'stopped by Ctrl-C or SIGTERM', 2: 'bad input, or the cluster cannot be reached', 3: 'the consumer failed for good, or an internal error'})}`

  static override examples = [
    {description: 'The fix as a service on the local cluster', command: '<%= config.bin %> els --kafka local --strategy buffer'},
    {description: 'Then judge it from outside, in another shell', command: '<%= config.bin %> run --kafka local --els external --scenario content-first'},
    {description: 'The bug, on a topic prefix of its own', command: '<%= config.bin %> els --kafka local --strategy naive --topic-prefix demo-'},
  ]

  static override flags = {
    kafka: kafkaFlag({default: undefined, summary: 'local (`racelab kafka up --detach`) or BROKERS (host:port,...): the cluster to consume from.'}),
    strategy: Flags.option({options: ['buffer', 'naive'] as const, default: 'buffer' as const, summary: 'buffer (the fix, the default) or naive (the bug).'})(),
    handler: handlerFlag,
    db: Flags.string({summary: 'Directory for els.sqlite (replaced when the service starts); default a fresh temporary directory, removed at the stop.'}),
    'topic-prefix': topicPrefixFlag({summary: 'Prefix of ELS’s topics and its group on the wire (default none: the real topic names).'}),
    'pending-timeout': Flags.string({summary: 'Buffered events older than this expire, reported (default 24h, as the real system).'}),
  }

  async run(): Promise<undefined> {
    const {flags} = await this.parse(ElsService)
    if (flags.kafka === undefined) throw new InputError('--kafka: racelab els consumes from a real cluster: give --kafka local or --kafka BROKERS')
    if (flags.kafka === 'memory') throw new InputError('--kafka memory: racelab els is a consumer service on a real cluster; give --kafka local or --kafka BROKERS')
    const [{resolveBrokers}, {startElsService}, {loadHandler}, {parseDuration}, {formatTraceEvent}, {KafkaUnreachableError}] = await Promise.all([
      import('../sim/live/run-on-kafka.js'),
      import('../sim/live/els-service.js'),
      import('../sim/consumer/handler-loader.js'),
      import('../sim/scenario/duration.js'),
      import('../ui/timeline-line.js'),
      import('../sim/bus/kafkajs-bus.js'),
    ])
    const brokers = resolveBrokers(flags.kafka, 'local or host:port[,host:port...]')
    let pendingTimeout = 24 * 3600 * 1_000_000
    if (flags['pending-timeout'] !== undefined) {
      const parsed = parseDuration(flags['pending-timeout'])
      if (!parsed.ok) throw new InputError(`--pending-timeout ${flags['pending-timeout']}: ${parsed.error}`)
      pendingTimeout = parsed.value
    }
    const handler = flags.handler === undefined ? undefined : await loadHandler(flags.handler)
    const dbDir = flags.db === undefined ? undefined : ensureWritableDir('--db', flags.db)
    const json = this.jsonEnabled()
    const line = (value: object): void => {
      process.stdout.write(JSON.stringify(value) + '\n')
    }
    // Ctrl-C and SIGTERM stop the service cleanly from the moment it starts.
    const signalled = new Promise<string>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal))
    })
    let service
    try {
      service = await startElsService({
        brokers,
        topicPrefix: flags['topic-prefix'] ?? '',
        strategy: flags.strategy,
        handler,
        dbDir,
        pendingTimeout,
        onTrace: (event) => (json ? line({event: 'trace', ...event}) : this.log(formatTraceEvent(event))),
        logSink: process.env.RACELAB_DEBUG ? (text) => process.stderr.write(text + '\n') : undefined,
      })
    } catch (error) {
      if (error instanceof KafkaUnreachableError) throw new InputError(`--kafka: ${error.message}`)
      throw error
    }
    const {ready} = service
    const who = handler === undefined ? `strategy ${flags.strategy}` : `handler ${handler.path}`
    if (json) {
      const readyJson: ElsReadyJson = {event: 'ready', strategy: flags.strategy, ...(handler ? {handler: handler.path} : {}), brokers, group: ready.group, topics: ready.topics, partitions: ready.partitions, db: ready.db}
      line(readyJson)
    } else {
      this.log(`racelab els: ready, ${who}, group ${ready.group}, ${ready.partitions} partitions of ${ready.topics.join(', ')}, database ${ready.db}; Ctrl-C stops it`)
    }
    const outcome = await Promise.race([signalled.then((signal) => ({signal})), service.failed.then((error) => ({error}))])
    await service.stop()
    if ('error' in outcome) throw new Error(`the ELS consumer failed for good: ${outcome.error.message}`)
    if (json) line({event: 'stopped', signal: outcome.signal})
    else this.log(`racelab els: stopped (${outcome.signal})`)
    return undefined
  }
}
