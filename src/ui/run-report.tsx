import {Box, Text} from 'ink'

import type {RunResult} from '../sim/simulated/run-simulation.js'
import {formatParameters} from './parameters-line.js'
import {formatOmitted} from './run-timeline.js'
import {VerdictBlock} from './verdict-block.js'

export interface RunReportProps {
  result: RunResult
  /** The timeline lines to show (all of a short run, the first and last of a long one). */
  timeline: readonly string[]
  /** Lines left out of `timeline`: how many, and after which of its lines. */
  omitted?: {after: number; count: number}
  reproduce: string
}

/** The heading of `racelab run`'s report: what ran, and the parameters the seed drew. */
export function RunReportHeader({result}: {result: RunResult}) {
  return (
    <Box flexDirection="column">
      <Text bold>
        racelab run: scenario {result.scenario}, strategy {result.strategy}, seed {result.seed}
        {result.handler ? `, handler ${result.handler.path}` : ''}
      </Text>
      {result.handler ? <Text dimColor>ELS: the handler {result.handler.path}, in place of the strategy’s ELS (its routing and relays stay)</Text> : null}
      <Text dimColor>parameters: {formatParameters(result.parameters)}</Text>
      <Text> </Text>
    </Box>
  )
}

/** What follows the timeline: verdict, violations, per-batch counts, the size of the run, the rerun. */
export function RunReportFooter({result, reproduce}: {result: RunResult; reproduce: string}) {
  return (
    <Box flexDirection="column">
      <Text> </Text>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      <Text> </Text>
      {result.handler ? <HandlerLines handler={result.handler} /> : null}
      <Text dimColor>
        simulated {result.simulatedSeconds.toFixed(3)} s, {result.events} events, {result.steps} steps
      </Text>
      <Text dimColor>reproduce: {reproduce}</Text>
    </Box>
  )
}

/** The static report `racelab run` prints: timeline, verdict, violations, per-batch counts. */
export function RunReport({result, timeline, omitted, reproduce}: RunReportProps) {
  const lines = omitted ? [...timeline.slice(0, omitted.after), formatOmitted(omitted.count), ...timeline.slice(omitted.after)] : timeline
  return (
    <Box flexDirection="column">
      <RunReportHeader result={result} />
      {lines.map((line, index) => (
        <Text key={index} dimColor={omitted !== undefined && index === omitted.after}>
          {line}
        </Text>
      ))}
      <RunReportFooter result={result} reproduce={reproduce} />
    </Box>
  )
}

/** A handler's failures: each time a call threw (rolled back, retried), and what was dead-lettered. */
function HandlerLines({handler}: {handler: NonNullable<RunResult['handler']>}) {
  if (handler.failures.length === 0 && handler.deadLettered.length === 0) return null
  return (
    <Box flexDirection="column">
      <Text color="red">
        handler failures: {handler.failures.length} call{handler.failures.length === 1 ? '' : 's'} threw (rolled back, retried); {handler.deadLettered.length} message
        {handler.deadLettered.length === 1 ? '' : 's'} dead-lettered
      </Text>
      {[...new Set(handler.failures.map((f) => f.replace(/ \(try \d+ of \d+\)/, '')))].slice(0, 5).map((line, i) => (
        <Text key={`f${i}`}>  {line}</Text>
      ))}
      {handler.deadLettered.slice(0, 5).map((line, i) => (
        <Text key={`d${i}`}>  dead-lettered: {line}</Text>
      ))}
      <Text> </Text>
    </Box>
  )
}
