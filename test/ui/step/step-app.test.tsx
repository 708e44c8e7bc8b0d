import {EventEmitter} from 'node:events'

import {render as inkRender} from 'ink'
import {render} from 'ink-testing-library'
import {describe, expect, it, vi} from 'vitest'

import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import {formatTraceEvent} from '../../../src/ui/timeline-line.js'
import {KEY_HELP, nextElsEvent, previousElsEvent, StepApp, type TerminalSize} from '../../../src/ui/step/step-app.js'

const KEYS = {right: '\u001B[C', left: '\u001B[D', pageDown: '\u001B[6~', pageUp: '\u001B[5~', escape: '\u001B'}

const simulate = (scenario: string, strategy: Strategy, extra: Partial<RunOptions> = {}) =>
  runSimulation({scenario: BUILTIN_SCENARIOS.get(scenario)!, strategy, seed: 1, ...extra})

/** Renders the app and returns helpers that press keys and wait until the frame shows something. */
async function mount(run: ReturnType<typeof simulate>, size: TerminalSize = {columns: 160, rows: 45}) {
  const app = render(<StepApp run={run} size={size} />)
  const frame = () => app.lastFrame() ?? ''
  const until = (text: string) => vi.waitFor(() => expect(frame()).toContain(text))
  // useInput subscribes in an effect: wait for the first frame, then for the listener.
  await until('event 1/')
  await vi.waitFor(() => expect(app.stdin.listenerCount('readable')).toBeGreaterThan(0))
  const press = async (keys: string[], expected: string) => {
    for (const key of keys) app.stdin.write(key)
    await until(expected)
  }
  return {...app, frame, until, press}
}

/** The row the cursor is on (marked ▶). */
const cursorRow = (frame: string): string => frame.split('\n').find((line) => line.startsWith('▶')) ?? ''

describe('StepApp', () => {
  it('opens on the first event: header, position, time, cursor row, details, state and the keys', async () => {
    // Given
    const run = simulate('content-first', 'naive')

    // When
    const {frame} = await mount(run)

    // Then
    const text = frame()
    expect(text).toContain('scenario content-first  strategy naive  seed 1')
    expect(text).toContain('run FAILS: 2 violations')
    expect(text).toContain(`event 1/${run.trace.length}  t=0.119s  bos batch-registered`)
    expect(cursorRow(text)).toContain('register b1')
    expect(text).toContain(formatTraceEvent(run.trace[0]))
    expect(text).toContain('state after event 1 (0.119s)')
    expect(text).toMatch(/b1\s+2 essays\s+-\s+-\s+unknown/)
    expect(text).toContain(KEY_HELP)
    expect(text).not.toContain('FAIL 2 invariant violations')
  })

  it('moves the cursor with l, space and →, and back with h and ←: position, row, details and state follow', async () => {
    // Given
    const run = simulate('content-first', 'naive')
    const {press, frame} = await mount(run)
    const total = run.trace.length

    // When / Then
    await press(['l', ' ', KEYS.right], `event 4/${total}`)
    expect(frame()).toContain(formatTraceEvent(run.trace[3]))
    expect(cursorRow(frame())).toContain('commit b1-f2 ok')
    expect(frame()).toMatch(/b1\s+2 essays\s+1\/2\s+-\s+unknown/)

    await press(['h', KEYS.left], `event 2/${total}`)
    expect(frame()).toContain(formatTraceEvent(run.trace[1]))
    expect(cursorRow(frame())).toContain('upload b1-f1')
  })

  it('takes keys that arrive together (typed fast, or from tmux send-keys) one by one', async () => {
    // Given
    const run = simulate('content-first', 'naive')
    const {press, frame} = await mount(run)

    // When
    await press(['lll'], 'event 4/')
    await press(['llhG'], `event ${run.trace.length}/`)
    await press(['gn'], 'event 6/')

    // Then
    expect(cursorRow(frame())).toContain('Content b1-f2: EXCESS')
  })

  it('n jumps to the next ELS event, and shows its outcome, what it emitted and that it came too early', async () => {
    // Given
    const run = simulate('content-first', 'naive')
    const {press, frame} = await mount(run)
    const target = nextElsEvent(run.trace, 0)

    // When
    await press(['n'], `event ${target + 1}/`)

    // Then
    const text = frame()
    expect(run.trace[target].svc).toBe('els')
    expect(cursorRow(text)).toMatch(/^▶!.*Content b1-f2: EXCESS/)
    expect(text).toContain(formatTraceEvent(run.trace[target]))
    expect(text).toContain('outcome  excess: batch b1, text text-b1-f2, reason NO_AVAILABLE_SLOT')
    expect(text).toContain('emitted  ExcessContentProvisioned')
    expect(text).toContain('the harmful reordering')
    expect(text).toMatch(/b1 .*unknown\s+0\s+0\s+0\s+1\s+no/)

    // And N goes back to the previous one (there is none before the first)
    await press(['n'], `event ${nextElsEvent(run.trace, target) + 1}/`)
    await press(['N'], `event ${target + 1}/`)
    expect(previousElsEvent(run.trace, target)).toBe(target)
  })

  it('G goes to the last event and shows the verdict with the explanation; g goes back and hides it', async () => {
    // Given
    const run = simulate('content-first', 'naive')
    const {press, frame} = await mount(run)
    const total = run.trace.length

    // When
    await press(['G'], `event ${total}/${total}`)

    // Then
    expect(frame()).toContain('(last event)')
    expect(frame()).toContain('FAIL 2 invariant violations')
    expect(frame()).toContain('ready-exactly-once')
    expect(frame()).toContain('why: b1 never became ready')

    // When
    await press(['g'], `event 1/${total}`)

    // Then
    expect(frame()).not.toContain('FAIL 2 invariant violations')
  })

  it('v toggles the verdict anywhere', async () => {
    // Given
    const {press, frame, until} = await mount(simulate('content-first', 'buffer'))

    // When / Then
    await press(['v'], 'PASS every invariant holds')
    expect(frame()).toContain('event 1/')
    expect(frame()).not.toContain('why:')
    await press(['l'], 'event 2/')
    expect(frame()).toContain('PASS every invariant holds')
    await press(['v'], 'event 2/')
    await vi.waitFor(() => expect(frame()).not.toContain('PASS every invariant holds'))
    await until('run passes')
  })

  it('PgDn and PgUp move by 10, clamped to the run', async () => {
    // Given
    const run = simulate('large-batch', 'buffer')
    const total = run.trace.length
    const {press} = await mount(run)

    // When / Then
    await press([KEYS.pageDown], `event 11/${total}`)
    await press([KEYS.pageDown, KEYS.pageDown], `event 31/${total}`)
    await press([KEYS.pageUp], `event 21/${total}`)
    await press([KEYS.pageUp, KEYS.pageUp, KEYS.pageUp], `event 1/${total}`)
  })

  it('scrolls the swimlane window to keep the cursor visible', async () => {
    // Given a run longer than the window
    const run = simulate('large-batch', 'buffer')
    const total = run.trace.length
    const {press, frame} = await mount(run, {columns: 160, rows: 30})
    const rows = () => frame().split('\n').filter((line) => /^[▶ ][! ]\s+\d+\.\d{3}s \S/.test(line))
    const shown = rows().length
    expect(shown).toBeGreaterThanOrEqual(3)
    expect(shown).toBeLessThan(total)
    expect(frame()).toContain(`[rows 1-${shown} of ${total}]`)

    // When the cursor goes past the bottom of the window
    await press(Array.from({length: shown}, () => 'l'), `event ${shown + 1}/${total}`)

    // Then the window moved by one row and the cursor is its last row
    expect(frame()).toContain(`[rows 2-${shown + 1} of ${total}]`)
    expect(rows().at(-1)).toMatch(/^▶/)

    // When it goes to the end and back to the start
    await press(['G'], `event ${total}/${total}`)
    expect(rows().at(-1)).toMatch(/^▶/)
    await press(['g'], `event 1/${total}`)
    expect(rows()[0]).toMatch(/^▶/)
    // And every frame fits the terminal
    expect(frame().split('\n').length).toBeLessThan(30)
  })

  it('keeps the frame within the terminal with the verdict shown', async () => {
    // Given
    const run = simulate('random', 'naive', {batches: 3})
    const {press, frame} = await mount(run, {columns: 120, rows: 40})

    // When
    await press(['G'], `event ${run.trace.length}/`)

    // Then
    expect(frame()).toContain(run.result.verdict === 'fail' ? 'FAIL' : 'PASS')
    expect(frame().split('\n').length).toBeLessThan(40)
  })

  it.each([
    ['q', 'q'],
    ['Esc', KEYS.escape],
  ])('%s quits: later keys change nothing', async (_name, key) => {
    // Given
    const run = simulate('content-first', 'naive')
    const last = `event ${run.trace.length}/${run.trace.length}`
    const app = await mount(run)

    // When
    app.stdin.write(key)
    await vi.waitFor(() => expect(app.stdin.listenerCount('readable')).toBe(0))
    const framesBefore = app.frames.length
    app.stdin.write('G')
    await new Promise((resolve) => setTimeout(resolve, 50))

    // Then no frame drawn after quitting jumped to the last event (the frame itself may be
    // cleared on exit, so only the absence of a reaction is asserted)
    expect(app.frames.slice(framesBefore).some((frame) => frame.includes(last))).toBe(false)
    expect(app.frames.some((frame) => frame.includes('event 1/'))).toBe(true)
  })

  it('renders without listening to keys when stdin cannot be put in raw mode', async () => {
    // Given an input that is not a terminal
    const stdout = Object.assign(new EventEmitter(), {columns: 160, rows: 45, frames: [] as string[], write(frame: string) {
      this.frames.push(frame)
      return true
    }})
    const stdin = Object.assign(new EventEmitter(), {isTTY: false, setEncoding() {}, setRawMode() {
      throw new Error('raw mode on a non-terminal')
    }, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null})

    // When
    const app = inkRender(<StepApp run={simulate('content-first', 'naive')} />, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    })

    // Then
    await vi.waitFor(() => expect(stdout.frames.at(-1)).toContain('keys unavailable: stdin is not a terminal'))
    expect(stdout.frames.at(-1)).toContain('event 1/13')
    app.unmount()
  })
})
