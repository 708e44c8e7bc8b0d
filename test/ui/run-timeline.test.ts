import {describe, expect, it} from 'vitest'

import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {TimelineKeeper, timelineExcerpt} from '../../src/ui/run-timeline.js'

const events = (n: number): TraceEvent[] => Array.from({length: n}, (_, i) => ({t: i * 1000, svc: 'file', ev: 'upload-accepted', batch: 'b1', file: `f${i}`}))

describe('TimelineKeeper', () => {
  it.each([0, 1, 150, 200, 201, 250, 300, 301, 1234])('gathers the excerpt of %i events as they happen, the same as from the whole trace', (n) => {
    // Given
    const trace = events(n)
    const keeper = new TimelineKeeper()
    // When
    for (const event of trace) keeper.add(event)
    // Then
    expect(keeper.excerpt()).toEqual(timelineExcerpt(trace))
  })
})
