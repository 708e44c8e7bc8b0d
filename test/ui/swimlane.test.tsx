import {renderToString} from 'ink'
import {describe, expect, it} from 'vitest'

import {shrinkCounterexample} from '../../src/sim/search/shrink.js'
import {TOPICS} from '../../src/sim/domain/topics.js'
import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation, type RunOptions} from '../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {Swimlane} from '../../src/ui/swimlane.js'
import {LANE_WIDTH, swimlane, swimlaneLines} from '../../src/ui/swimlane-rows.js'

function scenario(name: string): RunOptions['scenario'] {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

const handled = (t: number, type: string, outcome: Extract<TraceEvent, {ev: 'handled'}>['outcome']): TraceEvent => ({
  t,
  svc: 'els',
  ev: 'handled',
  type,
  partition: 0,
  offset: 0,
  outcome,
  emitted: [],
})

describe('swimlane', () => {
  it('orders the columns producers, relays, then ELS, whatever order the events came in', () => {
    // Given
    const {trace} = runSimulation({scenario: scenario('content-first'), strategy: 'naive', seed: 1})

    // When
    const {columns} = swimlane([...trace].reverse())

    // Then
    expect(columns).toEqual(['bos', 'file', 'bos-relay', 'file-relay', 'els', 'els-relay'])
  })

  it('marks exactly the inputs ELS handled before their registration', () => {
    // Given content before and after registration, and a failure for a batch never registered
    const trace: TraceEvent[] = [
      handled(1, TOPICS.essayContentProvisioned, {kind: 'excess', batchId: 'b1', textStorageId: 'text-b1-f1', reason: 'NO_AVAILABLE_SLOT'}),
      handled(2, TOPICS.batchEssaysRegistered, {kind: 'registered', batchId: 'b1', slots: 2, drained: 0}),
      handled(3, TOPICS.essayContentProvisioned, {kind: 'assigned', batchId: 'b1', essayId: 'b1-e1', textStorageId: 'text-b1-f2'}),
      handled(4, TOPICS.essayValidationFailed, {kind: 'failure-lost', batchId: 'b2', fileUploadId: 'b2-f1'}),
    ]

    // When
    const {rows} = swimlane(trace)

    // Then
    expect(rows.map((r) => r.harmful)).toEqual([true, false, false, true])
    expect(rows.map((r) => r.text)).toEqual(['Content b1-f1: EXCESS', 'Registered b1: slots', 'Content -> b1-e1', 'Failed b2-f1: LOST'])
  })

  it('lays out one line per event plus a header, harmful lines flagged with !, cells in their column', () => {
    // Given
    const {trace} = runSimulation({scenario: scenario('content-first'), strategy: 'naive', seed: 1})
    const model = swimlane(trace)

    // When
    const lines = swimlaneLines(model)

    // Then
    expect(lines).toHaveLength(trace.length + 1)
    for (const column of model.columns) expect(lines[0]).toContain(column)
    model.rows.forEach((row, i) => {
      const line = lines[i + 1]
      expect(line.startsWith('!')).toBe(row.harmful)
      expect(line).toContain(row.time)
      // the cell starts where its column starts in the header
      const cellAt = line.indexOf(row.text.length > LANE_WIDTH - 1 ? row.text.slice(0, LANE_WIDTH - 2) : row.text)
      expect(cellAt).toBe(lines[0].indexOf(model.columns[row.column]))
    })
    expect(model.rows.filter((r) => r.harmful)).toHaveLength(2)
  })

  it('renders a shrunk counterexample: invariant, lane lines, the reason and the replay command', () => {
    // Given
    const counterexample = shrinkCounterexample({scenario: scenario('content-first'), strategy: 'naive', seed: 1}, 'ready-exactly-once')

    // When
    const frame = renderToString(<Swimlane counterexample={counterexample} reproduce="racelab run --schedule x" />, {columns: 1000})

    // Then
    const lines = frame.split('\n')
    expect(lines[0]).toBe(
      `minimal counterexample for ready-exactly-once (${counterexample.run.trace.length} events, ${counterexample.attempts} runs tried)`,
    )
    for (const line of swimlaneLines(swimlane(counterexample.run.trace))) expect(frame).toContain(line)
    expect(frame).toContain(`why: ${counterexample.explanation}`)
    expect(frame).toContain('replay: racelab run --schedule x')
  })
})
