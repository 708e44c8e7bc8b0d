import {render} from 'ink-testing-library'
import {describe, expect, it, vi} from 'vitest'

import {LiveFeed} from '../../../src/sim/lab/live-feed.js'
import {simulateLab} from '../../../src/sim/lab/lab-run.js'
import {LIVE_KEY_HELP, LiveLabApp} from '../../../src/ui/step/live-lab-app.js'

// A live run's feed is played here from a simulated trace: the view reads the feed the same way.
const simulated = simulateLab({scenario: 'content-first', strategy: 'naive', seed: 1, delays: [], wakes: [], faults: [], elsInstances: 1}).run

async function mount(feed: LiveFeed) {
  const size = {columns: 145, rows: 36}
  const app = render(<LiveLabApp feed={feed} title="content-first · naive · seed 1" routing="event-topics" command="racelab step --kafka local --scenario content-first" size={size} refreshMs={5} />)
  Object.defineProperty(app.stdout, 'columns', {get: () => size.columns})
  app.stdout.emit('resize')
  const frame = () => app.lastFrame() ?? ''
  const until = (text: string | RegExp) => vi.waitFor(() => (typeof text === 'string' ? expect(frame()).toContain(text) : expect(frame()).toMatch(text)))
  await until('racelab step --kafka')
  await vi.waitFor(() => expect(app.stdin.listenerCount('readable')).toBeGreaterThan(0))
  const press = async (keys: string[], expected: string | RegExp) => {
    for (const key of keys) app.stdin.write(key)
    await until(expected)
  }
  return {...app, frame, until, press}
}

describe('LiveLabApp', () => {
  it('follows the newest event as the live shell reports them, with the same panels', async () => {
    // Given
    const feed = new LiveFeed()
    const {until, frame, press} = await mount(feed)
    await until('waiting for the first event')

    // When events arrive
    for (const event of simulated.trace.slice(0, 4)) feed.push(event)

    // Then the cursor is on the newest one
    await until('event 4/4')
    expect(frame()).toContain('running')
    expect(frame()).toContain('live: following the newest event (4 so far)')
    expect(frame()).toMatch(/b1\s+bos 2 essays \| file 1\/2/)
    await press(['2'], 'bos   1 committed, 1 unpublished')
    expect(frame()).toContain('$ racelab step --kafka local --scenario content-first')
    expect(frame()).toContain(LIVE_KEY_HELP)
  })

  it('space pauses the view while the run goes on, and follows again', async () => {
    // Given
    const feed = new LiveFeed()
    const {until, press, frame} = await mount(feed)
    for (const event of simulated.trace.slice(0, 3)) feed.push(event)
    await until('event 3/3')

    // When paused, more events arrive
    await press([' '], 'view paused at event 3')
    for (const event of simulated.trace.slice(3, 8)) feed.push(event)

    // Then the view stays on its event and counts what came
    await until('the run goes on (8 events so far)')
    expect(frame()).toContain('event 3/8')
    await press(['\u001B[D'], 'event 2/8')

    // And space follows the newest event again
    await press([' '], 'event 8/8')
    expect(frame()).toContain('live: following')
  })

  it('judges the invariants when the run ends: red from the breaking event; f jumps there', async () => {
    // Given
    const feed = new LiveFeed()
    const {until, press, frame} = await mount(feed)
    for (const event of simulated.trace) feed.push(event)
    await press(['6'], 'judged when the run ends')

    // When
    feed.end({verdict: simulated.result.verdict, violations: simulated.result.violations})

    // Then
    await until('the live run ended: FAILS (ready-exactly-once, no-false-excess)')
    expect(frame()).toContain('run FAILS')
    expect(frame()).toContain('✗ ready-exactly-once b1 (event 6)')
    await press(['f'], 'event 6/13')
    await press(['h'], 'event 5/13')
    expect(frame()).toContain('✓ ready-exactly-once')
  })

  it('says so when the live run stopped on an error', async () => {
    // Given
    const feed = new LiveFeed()
    const {until} = await mount(feed)

    // When
    feed.fail('--kafka: no broker answered at 127.0.0.1:1')

    // Then
    await until('the live run stopped: --kafka: no broker answered at 127.0.0.1:1')
  })
})
