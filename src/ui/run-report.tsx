import {Box, Text} from 'ink'

import type {RunResult} from '../sim/simulated/run-simulation.js'

export interface RunReportProps {
  result: RunResult
  timeline: readonly string[]
  reproduce: string
}

const COUNT_COLUMNS = ['expected', 'assigned', 'failed', 'excess', 'ready'] as const

/** The static report `racelab run` prints: timeline, verdict, violations, per-batch counts. */
export function RunReport({result, timeline, reproduce}: RunReportProps) {
  const failed = result.verdict === 'fail'
  const batchWidth = Math.max(5, ...result.batches.map((b) => b.batchId.length)) + 2
  const invariantWidth = Math.max(0, ...result.violations.map((v) => v.invariant.length)) + 2
  return (
    <Box flexDirection="column">
      <Text bold>
        racelab run: scenario {result.scenario}, strategy {result.strategy}, seed {result.seed}
      </Text>
      <Text> </Text>
      {timeline.map((line, index) => (
        <Text key={index}>{line}</Text>
      ))}
      <Text> </Text>
      {failed ? (
        <Text color="red" bold>
          FAIL {result.violations.length} invariant violation{result.violations.length === 1 ? '' : 's'}
        </Text>
      ) : (
        <Text color="green" bold>
          PASS every invariant holds
        </Text>
      )}
      {result.violations.map((violation, index) => (
        <Text key={index}>
          {'  '}
          {violation.invariant.padEnd(invariantWidth)}
          {violation.batchId.padEnd(batchWidth)}
          {violation.detail}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>
        {'batch'.padEnd(batchWidth)}
        {COUNT_COLUMNS.map((column) => column.padStart(10)).join('')}
      </Text>
      {result.batches.map((batch) => (
        <Text key={batch.batchId}>
          {batch.batchId.padEnd(batchWidth)}
          {COUNT_COLUMNS.map((column) => String(batch[column]).padStart(10)).join('')}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>
        simulated {result.simulatedSeconds.toFixed(3)} s, {result.events} events, {result.steps} steps
      </Text>
      <Text dimColor>reproduce: {reproduce}</Text>
    </Box>
  )
}
