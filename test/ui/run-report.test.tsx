import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {formatTraceEvent} from '../../src/ui/timeline-line.js'
import {RunReport} from '../../src/ui/run-report.js'

const report = (strategy: 'naive' | 'buffer') => {
  const {result, trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy, seed: 3})
  return {result, frame: render(<RunReport result={result} timeline={trace.map(formatTraceEvent)} reproduce="racelab run ..." />).lastFrame() ?? ''}
}

describe('RunReport', () => {
  it('shows the timeline, a FAIL verdict with each violation, and the counts table', () => {
    // Given / When
    const {result, frame} = report('naive')
    // Then
    expect(frame).toContain('scenario content-first, strategy naive, seed 3')
    expect(frame).toContain('bos-relay')
    expect(frame).toContain(`FAIL ${result.violations.length} invariant violations`)
    for (const violation of result.violations) expect(frame).toContain(violation.invariant)
    expect(frame).toMatch(/b1\s+2\s+0\s+0\s+2\s+0/)
  })

  it('shows the parameters the seed drew, in the --delay grammar, under the heading', () => {
    // Given / When
    const {frame} = report('naive')
    // Then: content-first lags BOS's relay by 2 s
    const text = frame.replace(/\s+/g, ' ') // the test renderer wraps at 100 columns
    expect(text).toContain('seed 3 parameters: bos-relay=2s file-relay=0 els-relay=0')
    expect(text).toContain('wake bos=on file=on els=on')
    expect(text).toContain('partitions=3')
  })

  it('shows PASS when every invariant holds', () => {
    const {frame} = report('buffer')
    expect(frame).toContain('PASS every invariant holds')
    expect(frame).toMatch(/b1\s+2\s+2\s+0\s+0\s+1/)
  })
})
