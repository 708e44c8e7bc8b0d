import {describe, expect, it} from 'vitest'

import {emptyTally, mergeTallies, recordRun} from '../../../src/sim/verify/cell-tally.js'

describe('cell tallies', () => {
  it('count runs, failures, each violated invariant once per seed, and keep the first failing seed', () => {
    // Given
    let tally = emptyTally()
    // When
    tally = recordRun(tally, 5, ['no-false-excess', 'ready-exactly-once', 'no-false-excess'], ['ready-exactly-once'])
    tally = recordRun(tally, 3, [], ['ready-exactly-once'])
    tally = recordRun(tally, 4, ['liveness'], ['ready-exactly-once'])
    // Then
    expect(tally).toEqual({
      runs: 3,
      failures: 2,
      invariants: {'ready-exactly-once': 1, 'no-false-excess': 1, liveness: 1},
      expectedFailures: 1,
      firstFailure: {seed: 4, invariants: ['liveness']},
      firstMiss: {seed: 3, invariants: []},
    })
    expect(Object.keys(tally.invariants)).toEqual(['ready-exactly-once', 'no-false-excess', 'liveness'])
  })

  it('merge in any order to the same tally', () => {
    // Given
    const a = recordRun(emptyTally(), 7, ['liveness'], [])
    const b = recordRun(recordRun(emptyTally(), 2, [], []), 3, ['outbox-drained'], [])
    const c = recordRun(emptyTally(), 9, ['outbox-drained', 'liveness'], [])
    // When
    const orders = [
      mergeTallies(mergeTallies(a, b), c),
      mergeTallies(c, mergeTallies(b, a)),
      mergeTallies(mergeTallies(c, a), b),
    ]
    // Then
    for (const merged of orders) expect(merged).toEqual(orders[0])
    expect(orders[0].firstFailure).toEqual({seed: 3, invariants: ['outbox-drained']})
    expect(orders[0].invariants).toEqual({'outbox-drained': 2, liveness: 2})
  })
})
