import {Box, Text} from 'ink'

import type {SimulationRun} from '../../sim/simulated/run-simulation.js'
import {TIMELINE_HEAD, TIMELINE_TAIL} from '../run-timeline.js'
import {swimlane, swimlaneLines} from '../swimlane-rows.js'
import {VerdictBlock} from '../verdict-block.js'
import {stateAt} from '../../sim/lab/batch-state-at.js'
import {StatePane, stateTitle} from './state-pane.js'
import {digitGroups} from '../../sim/digit-groups.js'

export interface StepReportProps {
  run: SimulationRun
  /** The sentence explaining the first violation, when the run failed. */
  explanation: string | undefined
  reproduce: string
  /** Every swimlane row and batch (--timeline full); otherwise a long run's first and last rows and 20 batches. */
  full?: boolean
}

/** Batches the static state pane lists unless --timeline full (the verdict sums the rest). */
export const STATE_ROWS = 20

/**
 * What `racelab step` prints when it cannot be interactive (no terminal): the swimlane, the final
 * state of every batch, the verdict and why it failed. Like run's report, what goes through ink
 * stays bounded: a run of more than 200 events shows its first and last 100 rows.
 */
export function StepReport({run, explanation, reproduce, full = false}: StepReportProps) {
  const {result, trace} = run
  const model = swimlane(trace)
  const cut = !full && model.rows.length > TIMELINE_HEAD + TIMELINE_TAIL
  const rows = cut ? [...model.rows.slice(0, TIMELINE_HEAD), ...model.rows.slice(-TIMELINE_TAIL)] : model.rows
  const omitted = model.rows.length - rows.length
  const [header, ...lines] = swimlaneLines({...model, rows})
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
      {lines.map((line, index) => [
        cut && index === TIMELINE_HEAD ? (
          <Text key="omitted" dimColor>{`   ... ${digitGroups(omitted)} events left out: --timeline full shows every one`}</Text>
        ) : null,
        <Text key={index} color={rows[index].harmful ? 'red' : undefined}>
          {line}
        </Text>,
      ])}
      <Text> </Text>
      <Text dimColor>{stateTitle(state)}</Text>
      <StatePane state={{...state, focus: undefined}} extra={extra} maxRows={full ? Number.MAX_SAFE_INTEGER : STATE_ROWS} />
      <Text> </Text>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      {explanation === undefined ? null : <Text>why: {explanation}</Text>}
      <Text> </Text>
      <Text dimColor>reproduce: {reproduce}</Text>
    </Box>
  )
}
