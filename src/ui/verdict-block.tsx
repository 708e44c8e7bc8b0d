import {Box, Text} from 'ink'

import type {BatchCounts} from '../sim/check/checker.js'
import type {Violation} from '../sim/check/invariant.js'

export interface VerdictBlockProps {
  verdict: 'pass' | 'fail'
  violations: readonly Violation[]
  batches: readonly BatchCounts[]
}

const COUNT_COLUMNS = ['expected', 'assigned', 'failed', 'excess', 'ready'] as const

/** PASS/FAIL, one line per violation, and the per-batch counts: the heart of every run report. */
export function VerdictBlock({verdict, violations, batches}: VerdictBlockProps) {
  const batchWidth = Math.max(5, ...batches.map((b) => b.batchId.length)) + 2
  const invariantWidth = Math.max(0, ...violations.map((v) => v.invariant.length)) + 2
  return (
    <Box flexDirection="column">
      {verdict === 'fail' ? (
        <Text color="red" bold>
          FAIL {violations.length} invariant violation{violations.length === 1 ? '' : 's'}
        </Text>
      ) : (
        <Text color="green" bold>
          PASS every invariant holds
        </Text>
      )}
      {violations.map((violation, index) => (
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
      {batches.map((batch) => (
        <Text key={batch.batchId}>
          {batch.batchId.padEnd(batchWidth)}
          {COUNT_COLUMNS.map((column) => String(batch[column]).padStart(10)).join('')}
        </Text>
      ))}
    </Box>
  )
}
