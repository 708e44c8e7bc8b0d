import {Box, Text} from 'ink'

import type {RunResult} from '../../sim/simulated/run-simulation.js'
import {VerdictBlock} from '../verdict-block.js'

/** Lines `text` takes when wrapped at word boundaries to `columns` (long words are broken). */
export function wrappedHeight(text: string, columns: number): number {
  const width = Math.max(1, columns)
  let lines = 1
  let used = 0
  for (const word of text.split(' ')) {
    const length = word.length
    if (used === 0) {
      used = length
    } else if (used + 1 + length <= width) {
      used += 1 + length
    } else {
      lines++
      used = length
    }
    while (used > width) {
      lines++
      used -= width
    }
  }
  return lines
}

/** The lines the verdict block and the explanation take at this width. */
export function verdictHeight(result: RunResult, explanation: string | undefined, columns: number): number {
  const batchWidth = Math.max(5, ...result.batches.map((b) => b.batchId.length)) + 2
  const invariantWidth = Math.max(0, ...result.violations.map((v) => v.invariant.length)) + 2
  const violationLines = result.violations.reduce(
    (sum, v) => sum + wrappedHeight(`  ${v.invariant.padEnd(invariantWidth)}${v.batchId.padEnd(batchWidth)}${v.detail}`, columns),
    0,
  )
  const block = 1 + violationLines + 2 + result.batches.length
  return block + (explanation === undefined ? 0 : wrappedHeight(`why: ${explanation}`, columns))
}

export interface VerdictPaneProps {
  result: RunResult
  /** The sentence explaining the first violation (explainViolation), when the run failed. */
  explanation: string | undefined
  columns: number
  /** Lines available; a longer verdict is cut, and says so. */
  maxHeight: number
}

/** The run's verdict (the block every report shows) and why its first violation happened. */
export function VerdictPane({result, explanation, columns, maxHeight}: VerdictPaneProps) {
  const height = verdictHeight(result, explanation, columns)
  const clipped = height > maxHeight
  // flexShrink 0: in a box too short for it, the block keeps its height and is cut, not squeezed.
  const body = (
    <Box flexDirection="column" flexShrink={0}>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      {explanation === undefined ? null : <Text>why: {explanation}</Text>}
    </Box>
  )
  if (!clipped) return body
  return (
    <Box flexDirection="column">
      <Box flexDirection="column" height={Math.max(1, maxHeight - 1)} overflow="hidden">
        {body}
      </Box>
      <Text dimColor wrap="truncate-end">
        … {height - Math.max(1, maxHeight - 1)} more lines: `racelab step ... | cat` prints the whole report
      </Text>
    </Box>
  )
}
