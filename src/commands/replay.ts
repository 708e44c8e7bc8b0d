import {Args, Flags, ux} from '@oclif/core'
import {renderToString} from 'ink'
import React from 'react'

import {BaseCommand} from '../cli/base-command.js'
import {EXIT} from '../sim/input-error.js'
import {FIXTURE_VERSION} from '../sim/fixture/fixture-schema.js'
import {replayPaths, type SuiteReport} from '../sim/fixture/fixture-suite.js'
import {STRATEGY_NAMES, type Strategy} from '../sim/scenario/strategy.js'
import {ReplayReport} from '../ui/replay-report.js'

/** Invalid fixtures: their problem lines were printed; the command ends with exit 2. */
class InvalidFixtures extends Error {
  constructor(readonly lines: readonly string[]) {
    super(`${lines.length} fixture problem${lines.length === 1 ? '' : 's'}`)
  }
}

export default class Replay extends BaseCommand {
  static override summary = 'Replay fixtures (exact event orderings) and compare each with its expected outcome'

  static override description = `Replays each fixture under every strategy it states an expectation for (or only those given with --strategy) and compares the outcome with it: pass, or exactly the invariants listed. A directory stands for every .yaml, .yml and .json file under it.

A fixture (format version ${FIXTURE_VERSION}, schema/fixture.schema.json) gives the topology, delays, wakes and faults, and a seed, an explicit delivery order, or both: the seed drives every timing, the deliveries (register(b1), content(b1,f2), fail(b1,f3), in the order ELS takes them) are enforced.

Exit codes: 0 every replay matched, 1 a replay did not match, 2 an invalid fixture (one line per problem on stderr: file:line: field: what is wrong), including a delivery order that cannot happen.`

  static override examples = [
    {description: 'Replay the shipped fixtures', command: '<%= config.bin %> replay fixtures/'},
    {description: 'Only under the naive strategy, as JSON', command: '<%= config.bin %> replay fixtures/ --strategy naive --json'},
  ]

  static override strict = false

  static override args = {
    fixture: Args.string({required: true, description: 'Fixture files, or directories of them.'}),
  }

  static override flags = {
    strategy: Flags.option({options: STRATEGY_NAMES, multiple: true, summary: 'Replay only under these strategies (repeatable).'})(),
  }

  async run(): Promise<SuiteReport> {
    const {argv, flags} = await this.parse(Replay)
    const report = replayPaths(argv as string[], flags.strategy as Strategy[] | undefined)
    if (!this.jsonEnabled()) this.log(renderToString(React.createElement(ReplayReport, {report}), {columns: 1000}))
    const problems = [...report.problems, ...report.fixtures.flatMap((f) => f.problems)]
    if (problems.length > 0) {
      if (this.jsonEnabled()) this.logJson(report)
      throw new InvalidFixtures(problems)
    }
    if (report.verdict === 'mismatch') this.failAfterReport(report)
    return report
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}}): Promise<unknown> {
    if (!(error instanceof InvalidFixtures)) return super.catch(error)
    // On stderr with --json too (the JSON report holds them as well): a CI log shows them.
    for (const line of error.lines) ux.stderr(line)
    return this.exit(EXIT.badInput)
  }
}
