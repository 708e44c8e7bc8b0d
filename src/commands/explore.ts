import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {handlerFlag, loadHandlerFlag} from '../cli/shared-flags.js'
import {runFlags, runOptions, shapeArgs, SIM_REFERENCE} from '../cli/sim-flags.js'
import {InputError} from '../sim/input-error.js'
import {DELAY_TARGETS} from '../sim/scenario/delay-spec.js'
import {parseShard} from '../sim/verify/shard.js'
import type {ExploreJson} from '../sim/search/explore/explore-json.js'
import {digitGroups} from '../sim/digit-groups.js'

/** The delay sites `--vary` takes: the drawn ones (a poll interval or a timeout is one value). */
const VARIABLE_SITES = Object.keys(DELAY_TARGETS).filter((target) => !target.endsWith('-poll') && target !== 'pending-timeout')
/** explore-json's EXPLORE_FIXED_SITES, here so --help loads no simulator. */
const FIXED_BY_DEFAULT = ['kafka', 'els']

export default class Explore extends BaseCommand {
  static override summary = 'Explore every distinguishable interleaving of a small scope and check each'

  static override description = `Runs a small scope (1 batch, a few essays, a fault or two) once per distinguishable interleaving of the scheduler's choices, depth-first: each run replays a prefix of recorded choices, then takes the first alternative of every new choice; the next run backtracks to the deepest choice with an alternative left. Every run is judged on every invariant. The first violation ends the search; it is shrunk and printed with the command that replays it exactly (racelab run ... --schedule).

WHAT IS ENUMERATED
  the order of kernel steps due at one instant, and which ready partition head ELS fetches: every option
  a drawn delay (a range): its two ends; a one-of: each value. --vary names the delays explored so; by default all but ${FIXED_BY_DEFAULT.join(' and ')}, which stay at their shortest
  a fault: fired or not at every opportunity, at most --max-faults times per run

PRUNING
  reduction: sleep sets over the steps of one instant, and a step alone where it commutes with every other step of that instant (steps of services that touch different state; sends to different partitions). --no-reduction turns it off
  cache: a run stops at a state (the three databases, the broker, the pending steps and each process's own state) already expanded. --no-cache turns it off; with --handler it is off (a handler's process memory is not part of that state)
  Both off is plain enumeration: how many runs the pruning saved.

${SIM_REFERENCE}

${exitCodesHelp({0: 'every interleaving explored holds every invariant (with --max-runs: "stopped after N, not exhaustive"; --json exhaustive false)', 1: 'an interleaving violates an invariant: the counterexample, shrunk, and its reproduce command'})}`

  static override examples = [
    {description: 'The naive strategy: explore finds the race', command: '<%= config.bin %> explore --scenario content-first --strategy naive --essays 2'},
    {description: 'The fix, proved on a small scope: 3 essays, one excess file, a relay crash (a duplicate)', command: "<%= config.bin %> explore --scenario true-excess --strategy buffer --essays 3 --fault relay-crash-after-publish=file"},
    {description: 'Plain enumeration, to see what the pruning saves', command: '<%= config.bin %> explore --scenario registration-first --essays 1 --no-reduction --no-cache'},
    {description: 'Split over 4 CI machines, then join', command: '<%= config.bin %> explore --essays 3 --shard 2/4 --json > explore-2.json && <%= config.bin %> merge explore-*.json'},
  ]

  static override flags = {
    // No --schedule: explore makes every choice itself.
    ...runFlags({seed: 'Seed of the ids and of --invalid placement (explore chooses everything else).', schedule: false}),
    handler: handlerFlag,
    'max-runs': Flags.integer({min: 1, max: 100_000_000, summary: 'Stop after N runs (then not exhaustive).'}),
    'max-faults': Flags.integer({min: 0, max: 10, default: 1, summary: 'Faults one run may fire (each --fault, at any opportunity).'}),
    vary: Flags.string({multiple: true, delimiter: ',', summary: `Delays explored at both ends (default: all but ${FIXED_BY_DEFAULT.join(', ')}).`}),
    reduction: Flags.boolean({default: true, allowNo: true, summary: 'Partial-order reduction (--no-reduction: every order).'}),
    cache: Flags.boolean({default: true, allowNo: true, summary: 'Do not expand a state twice (--no-cache: expand it again).'}),
    shard: Flags.string({summary: 'Explore part K of N of the tree (K/N); racelab merge joins them.'}),
  }

  async run(): Promise<ExploreJson> {
    const {flags} = await this.parse(Explore)
    const vary = flags.vary ?? VARIABLE_SITES.filter((site) => !FIXED_BY_DEFAULT.includes(site))
    const unknown = vary.find((site) => !VARIABLE_SITES.includes(site))
    if (unknown !== undefined) throw new InputError(`--vary ${unknown}: not a drawn delay (known: ${VARIABLE_SITES.join(', ')})`)
    const shard = flags.shard === undefined ? undefined : parsedShard(flags.shard)
    const options = runOptions(flags)
    const handler = await loadHandlerFlag(flags.handler)
    const [{explore}, {exploreJson}, {exploreShard}, {exploreReport}] = await Promise.all([
      import('../sim/search/explore/explore.js'),
      import('../sim/search/explore/explore-json.js'),
      import('../sim/search/explore/explore-shard.js'),
      import('../ui/explore-report.js'),
    ])
    const {scenario} = options
    const args = [...shapeArgs(flags), ...(handler === undefined ? [] : [`--handler ${handler}`])]
    const progress = this.jsonEnabled() || !process.stderr.isTTY ? undefined : process.stderr
    const started = performance.now()
    let shownAt = started
    const result = explore({
      run: {...options, handler},
      maxRuns: flags['max-runs'],
      maxFaults: flags['max-faults'],
      vary: (site) => vary.includes(site),
      reduction: flags.reduction,
      cache: flags.cache,
      shard: shard && exploreShard(shard),
      onRun: progress
        ? (counts) => {
            const now = performance.now()
            if (now - shownAt < 500) return
            shownAt = now
            progress.write(`\rexplore: ${digitGroups(counts.runs)} runs, ${digitGroups(counts.interleavings)} interleavings, ${digitGroups(counts.states)} states, ${((now - started) / 1000).toFixed(1)} s\u001B[K`)
          }
        : undefined,
    })
    progress?.write('\r\u001B[K')
    const seconds = (performance.now() - started) / 1000
    const scope = {
      scenario: scenario.name,
      strategy: flags.strategy,
      seed: flags.seed,
      args,
      maxFaults: flags['max-faults'],
      vary: [...vary].sort(),
      reduction: flags.reduction,
      cache: flags.cache && handler === undefined,
      ...(flags['max-runs'] === undefined ? {} : {maxRuns: flags['max-runs']}),
    }
    const json = exploreJson(result, scope, Math.round(seconds * 1000) / 1000)
    if (shard) json.shard = shard
    this.print(exploreReport(json))
    if (json.verdict === 'fail') this.failAfterReport(json)
    return json
  }
}

function parsedShard(text: string) {
  const parsed = parseShard(text)
  if (!parsed.ok) throw new InputError(`--shard ${parsed.error}`)
  return parsed.value
}
