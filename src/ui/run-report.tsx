import {Box, Text} from 'ink'

import type {RunResult} from '../sim/simulated/run-simulation.js'
import {formatParameters} from './parameters-line.js'
import {VerdictBlock} from './verdict-block.js'

export interface RunReportProps {
  result: RunResult
  timeline: readonly string[]
  reproduce: string
}

/** The static report `racelab run` prints: timeline, verdict, violations, per-batch counts. */
export function RunReport({result, timeline, reproduce}: RunReportProps) {
  return (
    <Box flexDirection="column">
      <Text bold>
        racelab run: scenario {result.scenario}, strategy {result.strategy}, seed {result.seed}
      </Text>
      <Text dimColor>parameters: {formatParameters(result.parameters)}</Text>
      <Text> </Text>
      {timeline.map((line, index) => (
        <Text key={index}>{line}</Text>
      ))}
      <Text> </Text>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      <Text> </Text>
      <Text dimColor>
        simulated {result.simulatedSeconds.toFixed(3)} s, {result.events} events, {result.steps} steps
      </Text>
      <Text dimColor>reproduce: {reproduce}</Text>
    </Box>
  )
}
