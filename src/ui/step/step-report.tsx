import {Box, Text} from 'ink'

import type {SimulationRun} from '../../sim/simulated/run-simulation.js'
import {swimlane, swimlaneLines} from '../swimlane-rows.js'
import {VerdictBlock} from '../verdict-block.js'
import {stateAt} from './state-at.js'
import {StatePane, stateTitle} from './state-pane.js'

export interface StepReportProps {
  run: SimulationRun
  /** The sentence explaining the first violation, when the run failed. */
  explanation: string | undefined
  reproduce: string
}

/**
 * What `racelab step` prints when it cannot be interactive (no terminal): the whole swimlane,
 * the final state of every batch, the verdict and why it failed.
 */
export function StepReport({run, explanation, reproduce}: StepReportProps) {
  const {result, trace} = run
  const model = swimlane(trace)
  const [header, ...lines] = swimlaneLines(model)
  const state = stateAt(trace, trace.length - 1)
  const extra = {lost: state.batches.some((b) => b.lost > 0), expired: state.batches.some((b) => b.expired > 0)}
  return (
    <Box flexDirection="column">
      <Text bold>
        racelab step: scenario {result.scenario}, strategy {result.strategy}, seed {result.seed} ({trace.length} events; not a
        terminal, so the whole run at once)
      </Text>
      <Text> </Text>
      <Text dimColor>{header}</Text>
      {lines.map((line, index) => (
        <Text key={index} color={model.rows[index].harmful ? 'red' : undefined}>
          {line}
        </Text>
      ))}
      <Text> </Text>
      <Text dimColor>{stateTitle(state)}</Text>
      <StatePane state={{...state, focus: undefined}} extra={extra} maxRows={Number.MAX_SAFE_INTEGER} />
      <Text> </Text>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      {explanation === undefined ? null : <Text>why: {explanation}</Text>}
      <Text> </Text>
      <Text dimColor>reproduce: {reproduce}</Text>
    </Box>
  )
}
