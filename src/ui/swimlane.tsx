import {Box, Text} from 'ink'

import type {Counterexample} from '../sim/search/counterexample.js'
import {swimlane, swimlaneLines} from './swimlane-rows.js'

export interface SwimlaneProps {
  counterexample: Counterexample
  /** The command line that replays the shrunk run. */
  reproduce?: string
}

/** A shrunk counterexample: its invariant, the swimlane (harmful rows marked !) and one sentence. */
export function Swimlane({counterexample, reproduce}: SwimlaneProps) {
  const model = swimlane(counterexample.run.trace)
  const [header, ...lines] = swimlaneLines(model)
  return (
    <Box flexDirection="column">
      <Text bold>
        minimal counterexample for {counterexample.invariant} ({model.rows.length} events, {counterexample.attempts} runs tried)
      </Text>
      <Text dimColor>{header}</Text>
      {lines.map((line, index) => (
        <Text key={index} color={model.rows[index].harmful ? 'red' : undefined}>
          {line}
        </Text>
      ))}
      <Text>why: {counterexample.explanation}</Text>
      {reproduce ? <Text dimColor>replay: {reproduce}</Text> : null}
    </Box>
  )
}
