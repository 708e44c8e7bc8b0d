import {Box, Text} from 'ink'

import type {StyledLine} from './styled-line.js'

export interface StyledLinesProps {
  lines: readonly StyledLine[]
  /** Rows the block takes: the lines beyond are not drawn. */
  height?: number
  width?: number
  /** Cut a long line at the block's edge instead of wrapping it (a frame that must keep its height). */
  truncate?: boolean
}

/** Report lines inside an ink view, each in its tone. */
export function StyledLines({lines, height, width, truncate = false}: StyledLinesProps) {
  const shown = height === undefined ? lines : lines.slice(0, height)
  const sized = height !== undefined || width !== undefined
  return (
    <Box flexDirection="column" height={height} width={width} {...(sized ? {flexShrink: 0, overflow: 'hidden' as const} : {})}>
      {shown.map((line, index) => (
        <Text
          key={index}
          wrap={truncate ? 'truncate-end' : 'wrap'}
          bold={line.tone === 'bold' || line.tone === 'pass' || line.tone === 'fail'}
          dimColor={line.tone === 'dim'}
          color={line.tone === 'pass' ? 'green' : line.tone === 'fail' ? 'red' : line.tone === 'warn' ? 'yellow' : undefined}
        >
          {line.text === '' ? ' ' : line.text}
        </Text>
      ))}
    </Box>
  )
}
