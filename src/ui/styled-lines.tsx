import {Box, Text} from 'ink'

import type {StyledLine} from './styled-line.js'

/** Report lines inside an ink view, each in its tone. */
export function StyledLines({lines}: {lines: readonly StyledLine[]}) {
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Text
          key={index}
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
