import {BaseCommand} from '../../cli/base-command.js'
import {exitCodesHelp} from '../../cli/exit-codes-help.js'
import {stateFlag} from '../../cli/shared-flags.js'
import {findStateFile} from '../../kafka-cluster/local-state.js'
import {stateFilePath, stopDetachedCluster} from '../../kafka-cluster/mock-cluster.js'

export interface KafkaDownJson {
  stopped: boolean
  stateFile: string
  pid?: number
  servers?: string
}

export default class KafkaDown extends BaseCommand {
  static override summary = 'Stop the cluster `racelab kafka up --detach` started'

  static override description = `Stops the detached mock cluster recorded in the state file (its whole process group) and removes the file. Nothing recorded, or recorded but already gone: says so, exit 0.

${exitCodesHelp({0: 'the cluster was stopped, or there was none to stop'})}`

  static override examples = ['<%= config.bin %> kafka down', '<%= config.bin %> kafka down --state /tmp/ci-kafka.json --json']

  static override flags = {
    state: stateFlag(),
  }

  async run(): Promise<KafkaDownJson> {
    const {flags} = await this.parse(KafkaDown)
    const stateFile = flags.state === undefined ? findStateFile().path : stateFilePath(flags.state)
    const stopped = await stopDetachedCluster(stateFile)
    if (stopped === undefined) {
      if (!this.jsonEnabled()) this.log(`no detached cluster recorded in ${stateFile}: nothing to stop`)
      return {stopped: false, stateFile}
    }
    const {state, wasRunning} = stopped
    if (!this.jsonEnabled()) {
      this.log(wasRunning ? `stopped the mock cluster (pid ${state.pid}) at ${state.servers}` : `the cluster recorded in ${stateFile} was already gone; removed the file`)
    }
    return {stopped: wasRunning, stateFile, pid: state.pid, servers: state.servers}
  }
}
