import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {runFlags, runOptions, scheduleArgs, shapeArgs, SIM_REFERENCE} from '../cli/sim-flags.js'
import type {InevitabilityCurve} from '../sim/search/inevitability.js'

export type InevitabilityJson = InevitabilityCurve & {reproduce: string}

/** Reruns per prefix by default: enough to tell "never" and "always" from "sometimes". */
export const DEFAULT_TRIALS = 50

/** --trials: reruns per prefix (inevitability and report --inevitability). */
export const trialsFlag = Flags.integer({min: 1, max: 10_000, summary: `Reruns per prefix of the schedule (default ${DEFAULT_TRIALS}).`})

export default class Inevitability extends BaseCommand {
  static override summary = 'When did a run’s failure become inevitable? Rerun each prefix of its schedule'

  static override description = `Runs a scenario as \`racelab run\` does, then reruns it for each prefix of its schedule (the choices it made: orders, delays, faults): the first k choices exactly as the run made them, the rest drawn at random, --trials times. It prints, per prefix, the share of reruns that failed at the virtual time of the first choice left to chance, and the moment from which every rerun failed: the run's failure was inevitable from then on. Up to 200 prefixes are rerun, spread over the schedule. \`racelab report --inevitability\` draws the curve in the HTML report.

A scenario whose timing alone loses the race (content-first fixes BOS's relay 2 s behind) is inevitable from the start; draw its delays from ranges to see when a run lost it, e.g. --delay bos-relay=1s --delay file-relay=0..10s (seed 2 fails: the curve jumps from 7% to 100% when the first content is published ahead of the registration).

${SIM_REFERENCE}

${exitCodesHelp({0: 'the curve is printed (of a failing or a passing run)'})}`

  static override examples = [
    {description: 'When a drawn relay lag lost the race', command: '<%= config.bin %> inevitability --scenario content-first --strategy naive --delay bos-relay=1s --delay file-relay=0..10s --seed 2'},
    {description: 'As JSON, 200 reruns per prefix', command: '<%= config.bin %> inevitability --scenario batch-upload --strategy naive --seed 3 --trials 200 --json'},
  ]

  static override flags = {
    ...runFlags(),
    trials: trialsFlag,
  }

  async run(): Promise<InevitabilityJson> {
    const {flags} = await this.parse(Inevitability)
    const options = runOptions(flags)
    const [{inevitabilityCurve}, {reproduceCommand}, {inevitabilityLines}] = await Promise.all([
      import('../sim/search/inevitability.js'),
      import('../sim/simulated/reproduce.js'),
      import('../ui/inevitability-lines.js'),
    ])
    const curve = inevitabilityCurve(options, {trials: flags.trials ?? DEFAULT_TRIALS})
    const reproduce = reproduceCommand({scenario: flags.scenario, strategy: flags.strategy, seed: flags.seed}, [...shapeArgs(flags), ...scheduleArgs(flags)])
    if (!this.jsonEnabled()) {
      this.log(`racelab inevitability: ${flags.scenario} under ${flags.strategy}, seed ${flags.seed}: the run ${curve.verdict === 'fail' ? 'FAILED' : 'passed'}; ${curve.choices} choices, ${curve.trials} reruns per prefix\n`)
      for (const line of inevitabilityLines(curve)) this.log(line)
      this.log(`reproduce: ${reproduce}`)
    }
    return {...curve, reproduce}
  }
}
