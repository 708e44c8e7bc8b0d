import {describe, expect, it} from 'vitest'

import {digitGroups} from '../../src/sim/digit-groups.js'

describe('digitGroups', () => {
  it('writes what toLocaleString("en") writes, for integers of every length and sign', () => {
    // Given integers around every grouping boundary, negative ones and the largest safe one
    const values = [0, 7, 99, 999, 1000, 12_345, 999_999, 1_000_000, 250_000, 1_234_567_890, -1, -1234, -1_000_000, Number.MAX_SAFE_INTEGER, 0.5, 1234.5678, 1e21]
    // Then each one is grouped as the locale-aware formatter groups it
    for (const value of values) expect({value, text: digitGroups(value)}).toEqual({value, text: value.toLocaleString('en')})
  })
})
