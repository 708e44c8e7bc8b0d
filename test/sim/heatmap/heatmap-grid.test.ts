import {describe, expect, it} from 'vitest'

import {heatmapSpecs, parseSkew, relayDelays} from '../../../src/sim/heatmap/heatmap-grid.js'
import {ms, SECOND} from '../../../src/sim/kernel/time.js'

describe('the heatmap grid', () => {
  it('gives the relay that is behind the base delay plus the skew', () => {
    // Given / When / Then: the real debug test is a skew of 1.5 s over the File Service's 0.5 s
    expect(relayDelays(ms(1500), ms(500))).toEqual({bos: 2 * SECOND, file: ms(500)})
    expect(relayDelays(-ms(500), ms(500))).toEqual({bos: ms(500), file: SECOND})
    expect(relayDelays(0, ms(500))).toEqual({bos: ms(500), file: ms(500)})
  })

  it('reads signed skews and refuses what is not a duration', () => {
    // Given / When / Then
    expect(parseSkew('-500ms')).toBe(-ms(500))
    expect(parseSkew('1.5s')).toBe(ms(1500))
    expect(parseSkew('0')).toBe(0)
    expect(() => parseSkew('soon')).toThrow(/--skews/)
  })

  it('is one verify block per grid point, row by row, each with its batch size and both relay delays', () => {
    // Given
    const grid = {scenario: 'batch-upload', strategies: ['naive', 'buffer'] as const, skews: [0, SECOND], sizes: [2, 25], seedStart: 1, seeds: 10, baseDelay: ms(500)}

    // When
    const specs = heatmapSpecs(grid)

    // Then
    expect(specs.map((s) => [s.shape.essays, s.shape.delay])).toEqual([
      [2, ['bos-relay=500ms', 'file-relay=500ms']],
      [2, ['bos-relay=1.5s', 'file-relay=500ms']],
      [25, ['bos-relay=500ms', 'file-relay=500ms']],
      [25, ['bos-relay=1.5s', 'file-relay=500ms']],
    ])
    for (const spec of specs) expect(spec).toMatchObject({scenarios: ['batch-upload'], strategies: ['naive', 'buffer'], seedStart: 1, seeds: 10})
  })
})
