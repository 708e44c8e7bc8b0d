import {availableParallelism} from 'node:os'
import {dirname, resolve} from 'node:path'

import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {forceFlag} from '../cli/shared-flags.js'
import {verifyCells, type VerifyMatrixDescription} from '../cli/verify-cells.js'
import {ensureWritableDir, ensureWritableFile} from '../cli/writable-path.js'
import {OWN_FILES, writeFileSafely} from '../sim/files/safe-write.js'
import {InputError} from '../sim/input-error.js'
import {readTextFile} from '../sim/read-text-file.js'
import {echo} from '../sim/printable.js'
import type {VerifyJson} from '../sim/verify/verify-json.js'
import type {ExploreJson} from '../sim/search/explore/explore-json.js'

export default class Merge extends BaseCommand {
  static override summary = "Join the --json of every verify (or explore) --shard K/N into one report"

  static override description = `Reads the --json files that \`racelab verify --shard K/N --json\` wrote on N machines and joins them into one report of the whole matrix: the same table, counterexamples (shrunk here, from each cell's first failing seed), --json and --junit as one verify of the whole matrix would give. The --json of explore --shard K/N joins the same way: the counts summed, exhaustive when every shard was, the counterexample of the first shard that found one. The shards must fit together: the same matrix (scenarios, strategies, seeds, shaping flags, chooser) and the same N, each K once, none missing; anything else is refused with one line naming the file (exit 2).

${exitCodesHelp({0: 'every cell matched its expectation', 1: 'a cell did not'})}`

  static override examples = [
    {description: 'Four CI jobs ran verify --shard 1/4 .. 4/4 --json > shard-K.json', command: '<%= config.bin %> merge shard-*.json --junit reports/verify.xml'},
  ]

  static override strict = false

  static override args = {
    file: Args.string({required: true, description: 'The --json of each shard (one per shard, any order).'}),
  }

  static override flags = {
    junit: Flags.string({summary: 'Write a JUnit XML report to FILE (one testcase per cell; creates its directory; replaces a report racelab wrote).'}),
    force: forceFlag('With --junit: replace an existing FILE that is not a racelab JUnit report (never a symlink, directory or device).', 'junit'),
    shrink: Flags.boolean({default: true, allowNo: true, summary: 'Shrink a counterexample for every cell with failures (--no-shrink skips it).'}),
    workers: Flags.integer({min: 1, max: 256, summary: 'Worker threads for shrinking (default: available cores).'}),
  }

  async run(): Promise<VerifyJson | ExploreJson> {
    const {argv, flags} = await this.parse(Merge)
    const files = argv as string[]
    // Not strict (any number of files), so oclif hands unknown flags over as files.
    const unknown = files.find((arg) => arg.startsWith('-'))
    if (unknown !== undefined) throw new InputError(`${echo(unknown.split('=')[0])}: unknown flag (merge takes --junit, --force, --no-shrink, --workers and --json)`)
    const junitPath = flags.junit === undefined ? undefined : writableJunit(flags.junit, flags.force)
    const [{mergeShards, readShard}, {concludeMatrix}, {junitXml}, {verifyJson}, {swimlane, swimlaneLines}] = await Promise.all([
      import('../sim/verify/merge-shards.js'),
      import('../sim/verify/verify-matrix.js'),
      import('../sim/verify/junit.js'),
      import('../sim/verify/verify-json.js'),
      import('../ui/swimlane-rows.js'),
    ])
    const read = files.map((file) => ({file, json: readJson(file)}))
    const explore = await import('../sim/search/explore/merge-explore.js')
    if (read.length > 0 && explore.isExploreJson(read[0].json)) return this.mergeExplore(read, explore, flags.junit !== undefined)
    const inputs = read.map(({file, json}) => readShard(file, json))
    const cells = rebuildCells(inputs[0].file, inputs[0].shard.matrix)
    const {results, runs} = mergeShards(inputs, cells)
    const outcome = await concludeMatrix(results, runs, {workers: flags.workers ?? availableParallelism(), shrink: flags.shrink})
    if (junitPath) writeFileSafely(junitPath, junitXml(outcome))
    const json = verifyJson(outcome, (counterexample) => swimlaneLines(swimlane(counterexample.run.trace)))
    if (!this.jsonEnabled()) await this.render((await import('../ui/verify-report.js')).VerifyReport, {outcome})
    if (outcome.verdict === 'fail') this.failAfterReport(json)
    return json
  }

  /** explore --shard K/N's --json files: the counts summed, the first shard's counterexample. */
  private async mergeExplore(read: {file: string; json: unknown}[], explore: typeof import('../sim/search/explore/merge-explore.js'), junit: boolean): Promise<ExploreJson> {
    if (junit) throw new InputError('--junit: explore shards make no JUnit report (their --json is the report)')
    const inputs = read.map(({file, json}) => {
      if (!explore.isExploreJson(json)) throw new InputError(`${file}: not the --json of racelab explore --shard K/N, like ${read[0].file}`)
      return {file, json}
    })
    const merged = explore.mergeExploreShards(inputs)
    this.print((await import('../ui/explore-report.js')).exploreReport(merged))
    if (merged.verdict === 'fail') this.failAfterReport(merged)
    return merged
  }
}

function readJson(file: string): unknown {
  const read = readTextFile(file)
  if (!read.ok) throw new InputError(`${file}: ${read.message}`)
  try {
    return JSON.parse(read.text)
  } catch (error) {
    throw new InputError(`${file}: not JSON (${(error as Error).message})`)
  }
}

/** The matrix a shard describes, as cells; a description this racelab cannot build is an InputError. */
function rebuildCells(file: string, matrix: unknown) {
  const description = matrix as Partial<VerifyMatrixDescription> | null
  if (!description || !Array.isArray(description.specs) || typeof description.chooser !== 'object') {
    throw new InputError(`${file}: its shard names no matrix (written by another racelab version?)`)
  }
  try {
    return verifyCells(description as VerifyMatrixDescription)
  } catch (error) {
    throw new InputError(`${file}: its matrix does not fit this racelab (${(error as Error).message})`)
  }
}

function writableJunit(file: string, force: boolean) {
  if (file !== '') ensureWritableDir('--junit', dirname(resolve(file)))
  return ensureWritableFile('--junit', file, {force, ours: OWN_FILES.junit})
}
