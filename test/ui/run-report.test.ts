import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation} from '../../src/sim/simulated/run-simulation.js'
import {runReport} from '../../src/ui/run-report.js'
import {timelineExcerpt} from '../../src/ui/run-timeline.js'
import {paint} from '../../src/ui/styled-line.js'

const report = (strategy: 'naive' | 'buffer', color = false) => {
  const {result, trace} = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy, seed: 3})
  return {result, text: runReport(result, timelineExcerpt(trace), 'racelab run ...').map((line) => paint(line, color)).join('\n')}
}

describe('runReport', () => {
  it('shows the timeline, a FAIL verdict with each violation, and the counts table', () => {
    // Given / When
    const {result, text} = report('naive')

    // Then
    expect(text).toContain('racelab run: scenario content-first, strategy naive, seed 3')
    expect(text).toContain('bos-relay')
    expect(text).toContain(`FAIL ${result.violations.length} invariant violations`)
    for (const violation of result.violations) expect(text).toContain(violation.invariant)
    expect(text).toMatch(/b1\s+2\s+0\s+0\s+2\s+0/)
    expect(text).toMatch(/reproduce: racelab run \.\.\.$/)
  })

  it('shows the parameters the seed drew, in the --delay grammar, under the heading', () => {
    // Given / When
    const {text} = report('naive')

    // Then: content-first lags BOS's relay by 2 s
    const [, parameters] = text.split('\n')
    expect(parameters).toMatch(/^parameters: bos-relay=2s {2}file-relay=0 {2}els-relay=0 /)
    expect(parameters).toContain('wake bos=on file=on els=on')
    expect(parameters).toContain('partitions=3')
  })

  it('shows PASS when every invariant holds', () => {
    const {text} = report('buffer')
    expect(text).toContain('PASS every invariant holds')
    expect(text).toMatch(/b1\s+2\s+2\s+0\s+0\s+1/)
  })

  it('colours the verdict only when asked: red FAIL, green PASS, no escape codes otherwise', () => {
    expect(report('naive', true).text).toContain('\u001B[1m\u001B[31mFAIL ')
    expect(report('buffer', true).text).toContain('\u001B[1m\u001B[32mPASS every invariant holds')
    expect(report('naive').text).not.toContain('\u001B[')
  })
})
