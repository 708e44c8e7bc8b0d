import {describe, expect, it} from 'vitest'

import {emptyTally, recordRun} from '../../../src/sim/verify/cell-tally.js'
import {cellResult} from '../../../src/sim/verify/cell-result.js'
import {counterexampleCells, invariantToShrink, replayShrunk, runShrinkJob, shrinkJob} from '../../../src/sim/verify/counterexamples.js'
import {buildCells} from '../../../src/sim/verify/matrix.js'
import {formatProgress, ProgressCounter} from '../../../src/sim/verify/progress.js'

const cells = buildCells(
  [{scenarios: ['content-first', 'registration-first'], strategies: ['naive', 'buffer'], seedStart: 1, seeds: 2, shape: {'els-instances': 1}}],
  () => ({options: {}, args: []}),
)
const cell = (scenario: string, strategy: string) => cells.find((c) => c.scenario === scenario && c.strategy === strategy)!

describe('counterexamples', () => {
  it('go to every cell with a failing seed, unexpected failures first', () => {
    // Given content-first × naive failed as expected, registration-first × buffer failed unexpectedly
    const results = [
      cellResult(cell('content-first', 'naive'), recordRun(emptyTally(), 1, ['ready-exactly-once', 'no-false-excess'], ['ready-exactly-once', 'no-false-excess'])),
      cellResult(cell('content-first', 'buffer'), recordRun(emptyTally(), 1, [], [])),
      cellResult(cell('registration-first', 'buffer'), recordRun(emptyTally(), 2, ['liveness'], [])),
    ]
    // When
    const targets = counterexampleCells(results)
    // Then
    expect(targets.map((r) => `${r.cell.scenario}/${r.cell.strategy}`)).toEqual(['registration-first/buffer', 'content-first/naive'])
  })

  it('shrink for the first named invariant the seed violated, else the first it violated', () => {
    // Given
    const expected = cellResult(cell('content-first', 'naive'), recordRun(emptyTally(), 1, ['no-false-excess', 'liveness'], ['ready-exactly-once', 'no-false-excess']))
    const unexpected = cellResult(cell('content-first', 'buffer'), recordRun(emptyTally(), 1, ['outbox-drained', 'liveness'], []))
    // When / Then
    expect(invariantToShrink(expected)).toBe('no-false-excess')
    expect(invariantToShrink(unexpected)).toBe('outbox-drained')
  })

  it('cross a thread as plain data and replay to the same violation', () => {
    // Given the first failing seed of content-first × naive
    const result = cellResult(cell('content-first', 'naive'), recordRun(emptyTally(), 1, ['ready-exactly-once', 'no-false-excess'], ['ready-exactly-once', 'no-false-excess']))
    const job = shrinkJob(result)
    // When
    const shrunk = runShrinkJob(structuredClone(job))
    const counterexample = replayShrunk(structuredClone(shrunk))
    // Then
    expect(job).toMatchObject({cell: result.cell.index, invariant: 'ready-exactly-once', spec: {scenario: 'content-first', strategy: 'naive', seed: 1}})
    expect(counterexample.options.scenario.name).toBe('content-first')
    expect(counterexample.run.result.violations.map((v) => v.invariant)).toContain('ready-exactly-once')
    expect(counterexample.options.essays).toBe(1)
    expect(counterexample.explanation).toBe(shrunk.explanation)
  })
})

describe('progress', () => {
  it('counts runs and finished cells as chunks finish', () => {
    // Given two cells of 2 chunks and one of 1
    const counter = new ProgressCounter(50, [2, 2, 1])
    // When
    counter.chunkDone(0, 10)
    counter.chunkDone(2, 10)
    const progress = counter.chunkDone(0, 10)
    // Then
    expect(progress).toEqual({runs: 30, totalRuns: 50, cellsDone: 2, totalCells: 3})
    expect(formatProgress(progress)).toBe('verify: 30/50 runs, 2 of 3 cells done')
  })
})
