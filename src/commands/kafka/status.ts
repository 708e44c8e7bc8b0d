import {BaseCommand} from '../../cli/base-command.js'
import {exitCodesHelp} from '../../cli/exit-codes-help.js'
import {stateFlag} from '../../cli/shared-flags.js'
import {findStateFile} from '../../kafka-cluster/local-state.js'
import {findKcat, isClusterAlive, readClusterState, stateFilePath} from '../../kafka-cluster/mock-cluster.js'

export interface KafkaStatusJson {
  running: boolean
  stateFile: string
  servers?: string
  pid?: number
  kcat?: string
}

export default class KafkaStatus extends BaseCommand {
  static override summary = 'Show whether a detached cluster runs, and its bootstrap servers'

  static override description = `Reads the state file \`racelab kafka up --detach\` wrote. Exit 0 when the cluster runs, 1 when it does not (so scripts can test it).

${exitCodesHelp({0: 'the cluster runs', 1: 'it does not'})}`

  static override examples = [
    {description: 'Is the background cluster up, and where?', command: '<%= config.bin %> kafka status'},
    {description: 'The servers for a script', command: '<%= config.bin %> kafka status --json'},
  ]

  static override flags = {
    state: stateFlag(),
  }

  async run(): Promise<KafkaStatusJson> {
    const {flags} = await this.parse(KafkaStatus)
    const stateFile = flags.state === undefined ? findStateFile().path : stateFilePath(flags.state)
    const state = readClusterState(stateFile)
    const kcat = findKcat()
    const running = state !== undefined && isClusterAlive(state)
    const json: KafkaStatusJson = running ? {running, stateFile, servers: state.servers, pid: state.pid, kcat} : {running, stateFile, kcat}
    if (!this.jsonEnabled()) {
      this.log(running ? `running (pid ${state.pid}): ${state.servers}` : `not running (${stateFile})`)
      if (kcat === undefined) this.log('kcat: not found (Debian package kcat)')
    }
    if (!running) this.failAfterReport(json)
    return json
  }
}
