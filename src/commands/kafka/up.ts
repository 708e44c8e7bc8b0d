import {dirname} from 'node:path'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {InputError} from '../../sim/input-error.js'
import {exitCodesHelp} from '../../cli/exit-codes-help.js'
import {stateFlag} from '../../cli/shared-flags.js'
import {ensureWritableDir} from '../../cli/writable-path.js'
import {findStateFile} from '../../kafka-cluster/local-state.js'
import {
  ClusterStartError,
  isClusterAlive,
  readClusterState,
  startDetachedCluster,
  startMockCluster,
  stateFilePath,
} from '../../kafka-cluster/mock-cluster.js'

export interface KafkaUpJson {
  servers: string
  brokers: number
  pid: number
  detached: boolean
  /** The state file of a detached cluster (what `racelab kafka down` reads). */
  stateFile?: string
  /** True when --detach found a cluster already running from this state file. */
  alreadyRunning?: boolean
}

export default class KafkaUp extends BaseCommand {
  static override summary = 'Start a local Kafka-protocol cluster (librdkafka mock cluster, via kcat)'

  static override description = `Starts librdkafka's mock cluster through kcat (Debian package kcat): N brokers on random localhost ports, speaking the Kafka protocol, in memory. Prints the bootstrap servers to pass to --kafka, and keeps the cluster up until Ctrl-C. With --detach it runs in the background and records its pid and servers in a state file; \`racelab kafka down\` stops it.

The mock cluster has limits racelab works around: topics are auto-created with 4 partitions, and there is no admin API (createTopics/deleteTopics) and no idempotent producer. A consumer group's first join takes 3 s.

${exitCodesHelp({0: 'the cluster ran (or, with --detach, runs)', 2: 'kcat missing, or bad input', 3: 'the cluster did not start, or an internal error'})}`

  static override examples = [
    {description: 'A 3-broker cluster until Ctrl-C', command: '<%= config.bin %> kafka up'},
    {description: 'In the background, for scripts', command: '<%= config.bin %> kafka up --detach --json'},
    {description: 'Then run a scenario on it (local: the servers in .racelab/kafka.json)', command: '<%= config.bin %> run --kafka local --scenario content-first --strategy naive'},
  ]

  static override flags = {
    brokers: Flags.integer({default: 3, min: 1, max: 16, summary: 'Number of mock brokers.'}),
    detach: Flags.boolean({default: false, summary: 'Run in the background; write the state file and exit.'}),
    state: stateFlag({summary: 'With --detach: the state file to write (default .racelab/kafka.json, here or in the nearest parent directory that has one).'}),
  }

  async run(): Promise<KafkaUpJson | undefined> {
    const {flags} = await this.parse(KafkaUp)
    if (!flags.detach && flags.state !== undefined) throw new InputError('--state: only a detached cluster (--detach) writes a state file')
    // A missing kcat is the user's to fix (exit 2); a cluster that would not start is exit 3 (BaseCommand's map).
    return flags.detach ? this.detached(flags.state === undefined ? findStateFile().path : stateFilePath(flags.state), flags.brokers) : this.foreground(flags.brokers)
  }

  private async detached(stateFile: string, brokers: number): Promise<KafkaUpJson> {
    // A file at --state that is not racelab's (or a directory, a symlink) is refused here, before kcat starts.
    const existing = readClusterState(stateFile)
    if (existing && isClusterAlive(existing)) {
      const json = {servers: existing.servers, brokers: existing.brokers, pid: existing.pid, detached: true, stateFile, alreadyRunning: true}
      if (!this.jsonEnabled()) {
        this.log(existing.servers)
        this.logToStderr(`already running (pid ${existing.pid}, state in ${stateFile})`)
      }
      return json
    }
    // A cluster is started only once its state can be recorded (startDetachedCluster checks the file and its log first).
    ensureWritableDir('--state', dirname(stateFile))
    const state = await startDetachedCluster({brokers, stateFile})
    if (!this.jsonEnabled()) {
      this.log(state.servers)
      this.logToStderr(`mock cluster of ${brokers} broker${brokers === 1 ? '' : 's'} in the background (pid ${state.pid}); state in ${stateFile}; stop it with: racelab kafka down`)
    }
    return {servers: state.servers, brokers, pid: state.pid, detached: true, stateFile}
  }

  private async foreground(brokers: number): Promise<undefined> {
    // Ctrl-C must stop the cluster cleanly from the moment it can be used.
    const signalled = new Promise<'signal'>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve('signal'))
    })
    const cluster = await startMockCluster({brokers})
    const json: KafkaUpJson = {servers: cluster.servers, brokers, pid: cluster.pid, detached: false}
    if (this.jsonEnabled()) {
      this.logJson(json)
    } else {
      this.log(cluster.servers)
      this.logToStderr(`mock cluster of ${brokers} broker${brokers === 1 ? '' : 's'} up (kcat pid ${cluster.pid}); Ctrl-C stops it`)
      this.logToStderr(`  racelab run --kafka ${cluster.servers} --scenario content-first --strategy naive`)
    }
    const outcome = await Promise.race([signalled, cluster.exited.then(() => 'exited' as const)])
    await cluster.stop()
    if (outcome === 'exited') throw new ClusterStartError('kcat exited: the mock cluster is gone')
    if (!this.jsonEnabled()) this.logToStderr('mock cluster stopped')
    // The JSON was printed when the cluster came up; nothing more to print.
    return undefined
  }
}
