import {Box, Text} from 'ink'

import {formatExpected, type Expected} from '../sim/fixture/format/fixture.js'
import type {RunResult} from '../sim/simulated/run-simulation.js'

export interface RecordReportProps {
  file: string
  result: RunResult
  expected: Expected
  deliveries: readonly string[]
}

const SHOWN = 12

/** What `racelab record` prints: what was run, the recorded outcome and order, how to replay. */
export function RecordReport({file, result, expected, deliveries}: RecordReportProps) {
  return (
    <Box flexDirection="column">
      <Text bold>
        recorded scenario {result.scenario}, strategy {result.strategy}, seed {result.seed} to {file}
      </Text>
      <Text>
        {'  '}outcome{'     '}
        <Text color={expected === 'pass' ? 'green' : 'red'}>{formatExpected(expected)}</Text> (the fixture expects it)
      </Text>
      <Text>
        {'  '}deliveries {deliveries.length}: {deliveries.slice(0, SHOWN).join(', ')}
        {deliveries.length > SHOWN ? `, ... (${deliveries.length - SHOWN} more in the file)` : ''}
      </Text>
      <Text dimColor>
        {'  '}simulated {result.simulatedSeconds.toFixed(3)} s, {result.events} events
      </Text>
      <Text dimColor>replay: racelab replay {file}</Text>
    </Box>
  )
}
