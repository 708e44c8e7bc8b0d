import {describe, expect, it} from 'vitest'

import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {Simulation} from '../../../src/sim/kernel/simulation.js'
import {SharedCpu} from '../../../src/sim/process/shared-cpu.js'
import {kernelClock} from '../../../src/sim/simulated/kernel-clock.js'

function setup() {
  const sim = new Simulation(new Chooser(seededSource(1)))
  const clock = kernelClock(sim)
  const cpu = new SharedCpu(clock)
  const finished: [string, number][] = []
  const start = (name: string, work: number, at = 0) =>
    clock.after(at, () => {
      cpu.start(work, () => finished.push([name, clock.now()]))
    })
  return {sim, clock, cpu, finished, start}
}

describe('SharedCpu (processor sharing)', () => {
  it('one file alone takes its own work', () => {
    // Given
    const {sim, start, finished} = setup()
    start('a', 1000)

    // When
    sim.run(1_000_000)

    // Then
    expect(finished).toEqual([['a', 1000]])
  })

  it('n files started together share the CPU: the least work finishes after n times it, the rest in turn', () => {
    // Given works 100, 300, 600 started at once
    const {sim, start, finished} = setup()
    start('a', 100)
    start('b', 300)
    start('c', 600)

    // When
    sim.run(1_000_000)

    // Then a: 3 x 100; b: 300 + 2 x 200 more; c: 700 + 300 more alone
    expect(finished).toEqual([
      ['a', 300],
      ['b', 700],
      ['c', 1000],
    ])
  })

  it('a file arriving later slows the one in flight from then on; a cancelled file gives its share back', () => {
    // Given a (work 1000) alone for 400, then b (work 200) beside it; c (work 500) cancelled at once
    const {sim, clock, cpu, start, finished} = setup()
    start('a', 1000)
    start('b', 200, 400)
    clock.after(400, () => cpu.start(500, () => finished.push(['c', clock.now()]))())

    // When
    sim.run(1_000_000)

    // Then b finishes at 400 + 2 x 200; a has 600 - 200 = 400 left, alone: 800 + 400
    expect(finished).toEqual([
      ['b', 800],
      ['a', 1200],
    ])
  })

  it('files finishing at the same instant finish together, in the order they started', () => {
    // Given
    const {sim, start, finished} = setup()
    start('a', 250)
    start('b', 250)

    // When
    sim.run(1_000_000)

    // Then
    expect(finished).toEqual([
      ['a', 500],
      ['b', 500],
    ])
  })
})
