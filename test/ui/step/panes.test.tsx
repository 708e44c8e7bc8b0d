import {renderToString} from 'ink'
import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'
import {LANE_WIDTH, swimlane, swimlaneLines} from '../../../src/ui/swimlane-rows.js'
import {detailLines} from '../../../src/ui/step/event-details.js'
import {stateAt, type BatchState} from '../../../src/sim/lab/batch-state-at.js'
import {visibleBatches} from '../../../src/ui/step/state-pane.js'
import {follow, laneLine, laneWidthFor} from '../../../src/ui/step/swimlane-window.js'
import {VerdictPane, verdictHeight, wrappedHeight} from '../../../src/ui/step/verdict-pane.js'

const naive = () => runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed: 1})

describe('swimlane window', () => {
  it('follow moves the window only when the cursor leaves it, and never past the last row', () => {
    expect(follow(0, 5, 10, 100)).toBe(0)
    expect(follow(0, 10, 10, 100)).toBe(1)
    expect(follow(20, 15, 10, 100)).toBe(15)
    expect(follow(95, 99, 10, 100)).toBe(90)
    expect(follow(0, 3, 10, 5)).toBe(0)
  })

  it('lanes are as wide as the swimlane view when they fit, narrower when not', () => {
    expect(laneWidthFor(1000, 6)).toBe(LANE_WIDTH)
    expect(laneWidthFor(160, 6)).toBe(24)
    expect(laneWidthFor(40, 6)).toBe(8)
  })

  it('lays out a row like the swimlane view, with the cursor in front', () => {
    // Given
    const model = swimlane(naive().trace)
    const plain = swimlaneLines(model)

    // When / Then: same cells at full width, cursor marker in the first column
    model.rows.forEach((row, i) => {
      expect(laneLine(model, row, LANE_WIDTH, false)).toBe(' ' + plain[i + 1])
      expect(laneLine(model, row, LANE_WIDTH, true)).toBe('▶' + plain[i + 1])
    })
  })
})

describe('event details', () => {
  it('lists the fields of events other than handlings, durations in seconds', () => {
    // Given
    const crash: TraceEvent = {t: 5, svc: 'bos-relay', ev: 'relay-crashed', row: 3, restartIn: 1_500_000}

    // When / Then
    expect(detailLines(crash, false)).toEqual([{label: 'fields', text: 'row 3, restartIn 1.500s'}])
  })

  it('names the outcome and emitted events of a handling, and marks it when it overtook the registration', () => {
    // Given
    const {trace} = naive()
    const registration = trace.find((e) => e.ev === 'handled' && e.outcome.kind === 'registered')!

    // When / Then
    expect(detailLines(registration, false)).toEqual([
      {label: 'outcome', text: 'registered: batch b1, slots 2, drained 0'},
      {label: 'emitted', text: 'nothing'},
    ])
  })
})

describe('state pane', () => {
  it('lists the first batches and always the focused one', () => {
    // Given
    const batches = ['b1', 'b2', 'b3', 'b4'].map((batchId) => ({...stateAt([], -1), batchId}) as unknown as BatchState)

    // When / Then
    expect(visibleBatches(batches, 'b4', 2).map((b) => b.batchId)).toEqual(['b1', 'b4'])
    expect(visibleBatches(batches, 'b2', 2).map((b) => b.batchId)).toEqual(['b1', 'b2'])
    expect(visibleBatches(batches, undefined, 10)).toHaveLength(4)
  })
})

describe('verdict pane', () => {
  it('wraps at word boundaries and breaks words longer than the line', () => {
    expect(wrappedHeight('abc def', 7)).toBe(1)
    expect(wrappedHeight('abc defg', 7)).toBe(2)
    expect(wrappedHeight('x'.repeat(15), 5)).toBe(3)
  })

  it('estimates exactly the lines Ink renders', () => {
    // Given
    const run = naive()
    const explanation = 'a reason '.repeat(30).trim()
    for (const columns of [80, 120, 160]) {
      // When
      const frame = renderToString(<VerdictPane result={run.result} explanation={explanation} columns={columns} maxHeight={100} />, {columns})

      // Then
      expect(frame.split('\n')).toHaveLength(verdictHeight(run.result, explanation, columns))
    }
  })

  it('cuts a verdict taller than the room left, and says how much is cut', () => {
    // Given
    const run = naive()

    // When
    const frame = renderToString(<VerdictPane result={run.result} explanation="why" columns={160} maxHeight={3} />, {columns: 160})

    // Then
    const lines = frame.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toContain('FAIL 2 invariant violations')
    expect(lines[2]).toMatch(/… \d+ more lines/)
  })
})
