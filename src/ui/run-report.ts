import type {RunResult} from '../sim/simulated/run-simulation.js'
import {formatParameters} from './parameters-line.js'
import {formatOmitted, type TimelineExcerpt} from './run-timeline.js'
import {blank, type StyledLine} from './styled-line.js'
import {verdictLines} from './verdict-lines.js'

/** The heading of `racelab run`'s report: what ran, and the parameters the seed drew. */
export function runReportHeader(result: RunResult): StyledLine[] {
  return [
    {text: `racelab run: scenario ${result.scenario}, strategy ${result.strategy}, seed ${result.seed}, chooser ${result.chooser}`, tone: 'bold'},
    {text: `parameters: ${formatParameters(result.parameters)}`, tone: 'dim'},
    blank,
  ]
}

/** What follows the timeline: verdict, violations, per-batch counts, the size of the run, the rerun. */
export function runReportFooter(result: RunResult, reproduce: string): StyledLine[] {
  return [
    blank,
    ...verdictLines(result),
    blank,
    {text: `simulated ${result.simulatedSeconds.toFixed(3)} s, ${result.events} events, ${result.steps} steps`, tone: 'dim'},
    {text: `reproduce: ${reproduce}`, tone: 'dim'},
  ]
}

/** The static report `racelab run` prints: heading, timeline (or its excerpt), verdict, counts. */
export function runReport(result: RunResult, {lines, omitted}: TimelineExcerpt, reproduce: string): StyledLine[] {
  const timeline: StyledLine[] = lines.map((text) => ({text}))
  if (omitted) timeline.splice(omitted.after, 0, {text: formatOmitted(omitted.count), tone: 'dim'})
  return [...runReportHeader(result), ...timeline, ...runReportFooter(result, reproduce)]
}
