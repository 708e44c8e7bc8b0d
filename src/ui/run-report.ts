import type {RunResult} from '../sim/simulated/run-simulation.js'
import {formatParameters} from './parameters-line.js'
import {formatOmitted, type TimelineExcerpt} from './run-timeline.js'
import {blank, type StyledLine} from './styled-line.js'
import {verdictLines} from './verdict-lines.js'

/** The heading of `racelab run`'s report: what ran, and the parameters the seed drew. */
export function runReportHeader(result: RunResult): StyledLine[] {
  const handler = result.handler?.path
  const what = result.handler?.kind === 'command' ? 'consumer process' : 'handler'
  return [
    {text: `racelab run: scenario ${result.scenario}, strategy ${result.strategy}, seed ${result.seed}, chooser ${result.chooser}${handler ? `, ${what} ${handler}` : ''}`, tone: 'bold'},
    ...(handler ? [{text: `ELS: the ${what} ${handler}, in place of the strategy’s ELS (its routing and relays stay)`, tone: 'dim' as const}] : []),
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
    ...(result.handler ? handlerLines(result.handler) : []),
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

/** A handler's failures: each time a call threw (rolled back, retried), and what was dead-lettered. */
function handlerLines(handler: NonNullable<RunResult['handler']>): StyledLine[] {
  if (handler.failures.length === 0 && handler.deadLettered.length === 0) return []
  const calls = `${handler.failures.length} call${handler.failures.length === 1 ? '' : 's'}`
  const messages = `${handler.deadLettered.length} message${handler.deadLettered.length === 1 ? '' : 's'}`
  return [
    {text: `handler failures: ${calls} threw (rolled back, retried); ${messages} dead-lettered`, tone: 'fail'},
    ...[...new Set(handler.failures.map((f) => f.replace(/ \(try \d+ of \d+\)/, '')))].slice(0, 5).map((line) => ({text: `  ${line}`})),
    ...handler.deadLettered.slice(0, 5).map((line) => ({text: `  dead-lettered: ${line}`})),
    blank,
  ]
}
