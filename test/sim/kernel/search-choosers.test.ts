import {describe, expect, it} from 'vitest'

import {Chooser} from '../../../src/sim/kernel/chooser.js'
import {chooserSource, type ChooserSpec} from '../../../src/sim/kernel/chooser-spec.js'
import {decodeSchedule} from '../../../src/sim/kernel/schedule.js'
import {pctSource} from '../../../src/sim/kernel/pct-chooser.js'
import {portfolioMember} from '../../../src/sim/kernel/portfolio-chooser.js'
import {posSource} from '../../../src/sim/kernel/pos-chooser.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {RARE_RACE, rareRaceDelays} from '../../../src/sim/search/rare-race.js'
import {runsToFirstFailure} from '../../../src/sim/search/runs-to-first-failure.js'

const scenario = (name: string): RunOptions['scenario'] => BUILTIN_SCENARIOS.get(name)!
const SEARCH_CHOOSERS: ChooserSpec[] = [
  {name: 'pct', depth: 3},
  {name: 'pct', depth: 1},
  {name: 'pos', depth: 3},
  {name: 'portfolio', depth: 2},
]
/** Runs with ties, ready heads at ELS, ranged delays and faults. */
const RUNS: RunOptions[] = [
  {scenario: scenario('random'), strategy: 'naive', seed: 21},
  {scenario: scenario('partial'), strategy: 'buffer', seed: 7, elsInstances: 2, faults: [{kind: 'els-restart', percent: 20}]},
  {scenario: scenario('large-batch'), strategy: 'partition-key', seed: 3, essays: 5},
]

describe.each(SEARCH_CHOOSERS)('chooser %o', (chooser) => {
  it.each(RUNS.map((run) => [run.scenario.name, run] as const))('%s: the same seed draws the same run, byte for byte', (_name, run) => {
    // Given / When
    const first = runSimulation({...run, chooser})
    const again = runSimulation({...run, chooser})

    // Then
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(first.trace))
    expect(again.result.schedule).toBe(first.result.schedule)
  })

  it.each(RUNS.map((run) => [run.scenario.name, run] as const))('%s: its schedule replays strictly to the same trace', (_name, run) => {
    // Given
    const drawn = runSimulation({...run, chooser})

    // When: replayed by the strict replay source, as `run --schedule` does
    const replayed = runSimulation({...run, schedule: decodeSchedule(drawn.result.schedule)})

    // Then
    expect(JSON.stringify(replayed.trace)).toBe(JSON.stringify(drawn.trace))
    expect(replayed.result.verdict).toBe(drawn.result.verdict)
  })
})

describe('search choosers differ from uniform random', () => {
  it('PCT and POS draw other runs than random for the same seed (and from each other)', () => {
    // Given
    const run: RunOptions = {scenario: scenario('random'), strategy: 'naive', seed: 5}

    // When
    const schedules = (['random', 'pct', 'pos'] as const).map((name) => runSimulation({...run, chooser: {name, depth: 3}}).result.schedule)

    // Then
    expect(new Set(schedules).size).toBe(3)
  })

  it('the portfolio runs PCT, POS and random seed by seed', () => {
    // Given / When
    const members = [1, 2, 3, 4, 5, 6].map(portfolioMember)

    // Then
    expect(members).toEqual(['pct', 'pos', 'random', 'pct', 'pos', 'random'])
    for (const seed of [1, 2, 3]) {
      const member = portfolioMember(seed)
      const portfolio = runSimulation({scenario: scenario('random'), strategy: 'naive', seed, chooser: {name: 'portfolio', depth: 3}})
      const alone = runSimulation({scenario: scenario('random'), strategy: 'naive', seed, chooser: {name: member, depth: 3}})
      expect(portfolio.result.schedule).toBe(alone.result.schedule)
    }
  })
})

describe('PCT', () => {
  it('an order choice goes to the actor of highest priority, the same actor every time it is there', () => {
    // Given
    const source = pctSource(11, 1)
    const order = (actors: string[]) => source.next(actors.length, {kind: 'order', actors, events: actors})

    // When: the same three actors in different positions
    const first = ['a', 'b', 'c'][order(['a', 'b', 'c'])]
    const second = ['c', 'a', 'b'][order(['c', 'a', 'b'])]
    const third = ['b', 'c', 'a'][order(['b', 'c', 'a'])]

    // Then: depth 1 has no change point: one strict priority order
    expect(second).toBe(first)
    expect(third).toBe(first)
  })

  it('a delay takes an end of its range: the longest for a late actor, the shortest otherwise, consistently per actor', () => {
    // Given
    const values = new Set<number>()
    for (let seed = 1; seed <= 40; seed++) {
      const chooser = new Chooser(pctSource(seed, 1))
      const a = chooser.between(0, 99, {kind: 'delay', site: 'bos-relay'})
      const b = chooser.between(0, 99, {kind: 'delay', site: 'bos-relay'})

      // Then
      expect(b).toBe(a)
      values.add(a)
    }
    expect([...values].sort((x, y) => x - y)).toEqual([0, 99])
  })

  it('a change point drops the actor chosen there below every other', () => {
    // Given: depth 2, one change point among the first 100 choices; 'a' and 'b' compete each time
    let flipped = 0
    for (let seed = 1; seed <= 20; seed++) {
      const source = pctSource(seed, 2)
      const picks = Array.from({length: 100}, () => ['a', 'b'][source.next(2, {kind: 'order', actors: ['a', 'b'], events: ['a', 'b']})])
      // Then: at most one switch, from the first winner to the other for good
      const switches = picks.filter((p, i) => i > 0 && p !== picks[i - 1]).length
      expect(switches).toBeLessThanOrEqual(1)
      flipped += switches
    }
    expect(flipped).toBeGreaterThan(10)
  })
})

describe('POS', () => {
  it('redraws the priorities of the events that raced with the chosen one', () => {
    // Given: the same two events offered again and again (as if neither ran)
    const picks = new Set<number>()
    const source = posSource(3)
    for (let i = 0; i < 50; i++) picks.add(source.next(2, {kind: 'order', actors: ['p#0', 'p#1'], events: ['m1', 'm2']}))

    // Then: the loser's new priority lets it win sometimes, so both get chosen
    expect([...picks].sort()).toEqual([0, 1])
  })
})

describe('the rare race (a long-tailed BOS relay): the harmful order is rare', () => {
  const race = {...RARE_RACE, delays: rareRaceDelays()}

  it.each([1, 1001])('from seed %i, PCT and POS reach the race within 5 runs, uniform random not within 50', (seedFrom) => {
    // Given / When: fixed seeds, so the counts are exact
    const random = runsToFirstFailure({...race, chooser: {name: 'random', depth: 3}, seedFrom, maxRuns: 50})
    const pct = runsToFirstFailure({...race, chooser: {name: 'pct', depth: 3}, seedFrom, maxRuns: 50})
    const pos = runsToFirstFailure({...race, chooser: {name: 'pos', depth: 3}, seedFrom, maxRuns: 50})

    // Then
    expect(random).toBeUndefined()
    expect(pct).toBeLessThanOrEqual(5)
    expect(pos).toBeLessThanOrEqual(5)
  })

  it('the race PCT finds is the naive one: content before registration', () => {
    // Given
    const seed = runsToFirstFailure({...race, chooser: {name: 'pct', depth: 3}, seedFrom: 1, maxRuns: 20})!

    // When
    const {result} = runSimulation({scenario: scenario(race.scenario), strategy: race.strategy, delays: race.delays, seed, chooser: {name: 'pct', depth: 3}})

    // Then
    expect(result.verdict).toBe('fail')
    expect(result.chooser).toBe('pct(d=3)')
    expect(result.violations.map((v) => v.invariant)).toEqual(expect.arrayContaining(['ready-exactly-once', 'no-false-excess']))
  })
})

describe('the seeded source is not asked to know', () => {
  it('chooserSource(random) is uninformed: its runs allocate nothing for PCT or POS', () => {
    expect(chooserSource(undefined, 1).informed).toBeFalsy()
    expect(chooserSource({name: 'random', depth: 3}, 1).informed).toBeFalsy()
    expect(chooserSource({name: 'pct', depth: 3}, 1).informed).toBe(true)
  })
})
