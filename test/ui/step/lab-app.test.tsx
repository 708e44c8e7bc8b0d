import {EventEmitter} from 'node:events'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {render as inkRender} from 'ink'
import {render} from 'ink-testing-library'
import {describe, expect, it, vi} from 'vitest'

import type {LabConfig} from '../../../src/sim/lab/lab-config.js'
import {nextElsEvent, previousElsEvent} from '../../../src/sim/lab/lab-navigation.js'
import {simulateLab, type LabRun} from '../../../src/sim/lab/lab-run.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'
import {formatTraceEvent} from '../../../src/ui/timeline-line.js'
import {LabApp, type TerminalSize} from '../../../src/ui/step/lab-app.js'
import {KEY_HELP, KEY_HELP_SHORT} from '../../../src/ui/step/lab-keys.js'

const KEYS = {right: '\u001B[C', left: '\u001B[D', down: '\u001B[B', pageDown: '\u001B[6~', pageUp: '\u001B[5~', escape: '\u001B', enter: '\r', backspace: '\u007F', tab: '\t'}

const config = (scenario: string, strategy: Strategy, extra: Partial<LabConfig> = {}): LabConfig => ({
  scenario,
  strategy,
  seed: 1,
  delays: [],
  wakes: [],
  faults: [],
  elsInstances: 1,
  ...extra,
})

const simulate = (scenario: string, strategy: Strategy, extra: Partial<LabConfig> = {}): LabRun => simulateLab(config(scenario, strategy, extra))

interface MountOptions {
  size?: TerminalSize
  frameMs?: number
}

/** Renders the lab and returns helpers that press keys and wait until the frame shows something. */
async function mount(lab: LabRun, {size = {columns: 145, rows: 36}, frameMs}: MountOptions = {}) {
  const app = render(<LabApp initial={lab} size={size} frameMs={frameMs} />)
  // ink-testing-library's stdout is 100 columns wide; Ink lays the frame out at stdout's width.
  Object.defineProperty(app.stdout, 'columns', {get: () => size.columns})
  app.stdout.emit('resize')
  const frame = () => app.lastFrame() ?? ''
  const until = (text: string | RegExp) => vi.waitFor(() => (typeof text === 'string' ? expect(frame()).toContain(text) : expect(frame()).toMatch(text)))
  // useInput subscribes in an effect: wait for the first frame, then for the listener.
  await until('event 1/')
  await vi.waitFor(() => expect(app.stdin.listenerCount('readable')).toBeGreaterThan(0))
  const press = async (keys: string[], expected: string | RegExp) => {
    for (const key of keys) app.stdin.write(key)
    await until(expected)
  }
  const gone = (text: string) => vi.waitFor(() => expect(frame()).not.toContain(text))
  return {...app, frame, until, press, gone}
}

/** The row the cursor is on (marked ▶). */
const cursorRow = (frame: string): string => frame.split('\n').find((line) => line.startsWith('▶')) ?? ''
/** The position line: `event N/M  t=...`. */
const position = (frame: string): string => frame.split('\n').find((line) => line.startsWith('event ')) ?? ''
const eventNumber = (frame: string): number => Number(/^event (\d+)\//.exec(position(frame))?.[1] ?? 0)

describe('LabApp: stepping', () => {
  it('opens on the first event: header, position, time, cursor row, details, tabs, footer command and keys', async () => {
    // Given
    const lab = simulate('content-first', 'naive')

    // When
    const {frame} = await mount(lab)

    // Then
    const text = frame()
    expect(text).toContain('content-first · naive · seed 1')
    expect(text).toContain('run FAILS: 2 violations')
    expect(text).toContain('paused 10ms/frame')
    expect(position(text)).toContain(`event 1/${lab.run.trace.length}  t=0.119s  bos batch-registered`)
    expect(cursorRow(text)).toContain('register b1')
    expect(text).toContain(formatTraceEvent(lab.run.trace[0]))
    expect(text).toContain('[1 batches]')
    expect(text).toMatch(/b1\s+bos 2 essays \| file 0\/0 \| pub - \| els unknown \| not ready/)
    expect(text).toContain('$ racelab step --scenario content-first --strategy naive --seed 1')
    expect(text).toContain(KEY_HELP_SHORT.slice(0, 40))
  })

  it('moves the cursor with l and →, and back with h and ←: position, row, details and state follow', async () => {
    // Given
    const lab = simulate('content-first', 'naive')
    const {press, frame} = await mount(lab)
    const total = lab.run.trace.length

    // When / Then
    await press(['l', 'l', KEYS.right], `event 4/${total}`)
    expect(frame()).toContain(formatTraceEvent(lab.run.trace[3]))
    expect(cursorRow(frame())).toContain('commit b1-f2 ok')
    expect(frame()).toMatch(/b1\s+bos 2 essays \| file 1\/2 \| pub -/)

    // And stepping back shows the state of the shorter prefix again (the same deterministic run)
    await press(['h', KEYS.left], `event 2/${total}`)
    expect(frame()).toContain(formatTraceEvent(lab.run.trace[1]))
    expect(cursorRow(frame())).toContain('upload b1-f1')
    expect(frame()).toMatch(/b1\s+bos 2 essays \| file 0\/1 \| pub -/)
  })

  it('takes keys that arrive together (typed fast, or from tmux send-keys) one by one', async () => {
    // Given
    const lab = simulate('content-first', 'naive')
    const {press, frame} = await mount(lab)

    // When
    await press(['lll'], 'event 4/')
    await press(['llhG'], `event ${lab.run.trace.length}/`)
    await press(['gn'], 'event 6/')

    // Then
    expect(cursorRow(frame())).toContain('Content b1-f2: EXCESS')
  })

  it('n jumps to the next ELS event, and shows its outcome, what it emitted and that it came too early', async () => {
    // Given
    const lab = simulate('content-first', 'naive')
    const {press, frame} = await mount(lab)
    const target = nextElsEvent(lab.run.trace, 0)

    // When
    await press(['n'], `event ${target + 1}/`)

    // Then
    const text = frame()
    expect(lab.run.trace[target].svc).toBe('els')
    expect(cursorRow(text)).toMatch(/^▶!.*Content b1-f2: EXCESS/)
    expect(position(text)).toContain('! before its registration')
    expect(text).toContain('outcome  excess: batch b1, text text-b1-f2, reason NO_AVAILABLE_SLOT')

    // And N goes back to the previous one (there is none before the first)
    await press(['n'], `event ${nextElsEvent(lab.run.trace, target) + 1}/`)
    await press(['N'], `event ${target + 1}/`)
    expect(previousElsEvent(lab.run.trace, target)).toBe(target)
  })

  it('v shows the verdict with the explanation in the panel area, and hides it again', async () => {
    // Given
    const {press, frame, gone} = await mount(simulate('content-first', 'naive'), {size: {columns: 120, rows: 40}})

    // When / Then
    await press(['G'], '(last event)')
    expect(frame()).not.toContain('FAIL 2 invariant violations')
    await press(['v'], 'FAIL 2 invariant violations')
    expect(frame()).toContain('why: b1 never became ready')
    await press(['v'], '[1 batches]')
    await gone('FAIL 2 invariant violations')
    expect(frame()).toMatch(/b1\s+bos 2 essays/)
  })

  it('PgDn and PgUp move by 10, clamped to the run', async () => {
    // Given
    const lab = simulate('large-batch', 'buffer')
    const total = lab.run.trace.length
    const {press} = await mount(lab)

    // When / Then
    await press([KEYS.pageDown], `event 11/${total}`)
    await press([KEYS.pageDown, KEYS.pageDown], `event 31/${total}`)
    await press([KEYS.pageUp], `event 21/${total}`)
    await press([KEYS.pageUp, KEYS.pageUp, KEYS.pageUp], `event 1/${total}`)
  })

  it('scrolls the swimlane window to keep the cursor visible', async () => {
    // Given a run longer than the window
    const lab = simulate('large-batch', 'buffer')
    const total = lab.run.trace.length
    const {press, frame} = await mount(lab, {size: {columns: 140, rows: 30}})
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
  })

  it.each([
    [{columns: 80, rows: 24}],
    [{columns: 100, rows: 30}],
    [{columns: 160, rows: 45}],
  ])('keeps every frame shorter than the terminal (%o), also with the verdict and a form open', async (size) => {
    // Given
    const lab = simulate('random', 'naive', {batches: 3})
    const {press, frame, gone} = await mount(lab, {size})
    const fits = () => {
      const lines = frame().split('\n')
      expect(lines.length).toBeLessThan(size.rows)
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(size.columns)
    }

    // When / Then
    fits()
    await press(['G'], '(last event)')
    fits()
    await press(['v'], lab.run.result.verdict === 'fail' ? 'FAIL' : 'PASS')
    fits()
    await press(['v', 'd'], 'delays and wakes')
    fits()
    // Esc and a key in one chunk would read as Alt+key: one at a time
    await press([KEYS.escape], 'state after event')
    await gone('delays and wakes')
    await press(['S'], 'split view')
    fits()
  })

  it.each([
    ['q', 'q'],
    ['Esc', KEYS.escape],
  ])('%s quits: later keys change nothing', async (_name, key) => {
    // Given
    const lab = simulate('content-first', 'naive')
    const last = `event ${lab.run.trace.length}/${lab.run.trace.length}`
    const app = await mount(lab)

    // When
    app.stdin.write(key)
    await vi.waitFor(() => expect(app.stdin.listenerCount('readable')).toBe(0))
    const framesBefore = app.frames.length
    app.stdin.write('G')
    await new Promise((resolve) => setTimeout(resolve, 50))

    // Then no frame drawn after quitting jumped to the last event
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
    const app = inkRender(<LabApp initial={simulate('content-first', 'naive')} />, {
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

describe('LabApp: play in virtual time', () => {
  it('space plays (the cursor follows the play head), space again pauses and the cursor stays', async () => {
    // Given a fast frame and the fastest speed
    const lab = simulate('content-first', 'naive')
    const {press, frame} = await mount(lab, {frameMs: 5})
    await press(['+', '+'], 'paused real time')

    // When
    await press([' '], '▶ real time')
    await vi.waitFor(() => expect(eventNumber(frame())).toBeGreaterThan(5), {timeout: 5000})
    await press([' '], 'paused real time')
    const pausedAt = eventNumber(frame())
    await new Promise((resolve) => setTimeout(resolve, 60))

    // Then
    expect(eventNumber(frame())).toBe(pausedAt)
    expect(frame()).toContain('paused at ')
  })

  it('plays to the last event and stops there', async () => {
    // Given
    const lab = simulate('content-first', 'buffer')
    const {press, frame} = await mount(lab, {frameMs: 2})

    // When / Then (the 1.9 s wait for BOS's relay is played at real time, 50 ms per frame)
    await press(['+', '+', ' '], '▶ real time')
    await vi.waitFor(() => expect(frame()).toContain('played to the last event'), {timeout: 15_000})
    expect(position(frame())).toContain(`event ${lab.run.trace.length}/${lab.run.trace.length}`)
  })

  it('+ and - change the speed, from 1 simulated ms per frame to real time', async () => {
    // Given
    const {press} = await mount(simulate('content-first', 'naive'))

    // When / Then
    await press(['+'], 'paused 20ms/frame')
    await press(['+', '+', '+'], 'paused real time')
    await press(['-'], 'paused 20ms/frame')
    await press(['-', '-', '-', '-', '-', '-'], 'paused 1ms/frame')
  })
})

describe('LabApp: change the run and simulate again in place', () => {
  it('s switches the strategy, keeping the cursor at the same virtual time; the footer follows', async () => {
    // Given naive at its first violation
    const {press, frame} = await mount(simulate('content-first', 'naive'))
    await press(['f'], 'first violation at event 6')
    expect(position(frame())).toContain('t=0.213s')

    // When
    await press(['s'], 'strategy buffer')

    // Then
    expect(frame()).toContain('content-first · buffer · seed 1  run passes')
    expect(position(frame())).toContain('t=0.213s')
    expect(cursorRow(frame())).toContain('Content b1-f2: buff')
    expect(frame()).toContain('re-simulated with --strategy buffer: run passes; cursor kept at 0.213s')
    expect(frame()).toContain('$ racelab step --scenario content-first --strategy buffer --seed 1')

    // And the batch becomes ready later in that run
    await press(['G', '1'], 'READY')
    expect(frame()).toMatch(/b1\s+bos 2 essays .*2 assigned \| READY/)
  })

  it('S opens the split view: two strategies on one seed, side by side at one virtual time', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['f', 'S'], 'split view: naive | buffer')

    // Then
    const text = frame()
    expect(text).toMatch(/naive: 2 invariants broken \(run FAILS\)\s+buffer: holding \(run passes\)/)
    expect(text).toMatch(/▶! 0\.213s els\s+Content b1-f2: EXCESS.*▶! 0\.213s els\s+Content b1-f2: buffered/)
    expect(text).toMatch(/b1\s+unknown at ELS, 1 reported excess\s+b1\s+unknown at ELS/)

    // When the cursor moves to the end, both sides follow it in virtual time
    await press(['G'], '(last event)')
    expect(frame()).toMatch(/▶ {2}2\.121s els\s+Registered b1: slots/)
    expect(frame()).toMatch(/▶ {2}2\.119s bos-relay\s+pub Registered b1/)
    expect(frame()).toMatch(/b1\s+\[\.\.\] 0 assigned, 0 failed, 2 free: not ready\s+b1\s+unknown at ELS/)

    // And S closes it
    await press(['S'], 'split view closed')
    expect(frame()).not.toContain('buffer: holding')
  })

  it('d edits a delay in a form showing the run’s value: BOS’s relay at 0 makes the race disappear', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['d'], 'delays and wakes')
    expect(frame()).toMatch(/▶ bos-relay\s+2s/)
    expect(frame()).toMatch(/file-relay\s+0/)
    await press([KEYS.enter], 'type the new value')
    expect(frame()).toContain('bos-relay        2s█')
    await press([KEYS.backspace, KEYS.backspace, '0'], 'bos-relay        0█')
    await press([KEYS.enter], 're-simulated with --delay bos-relay=0')

    // Then
    expect(frame()).toContain('run passes')
    expect(frame()).toContain('$ racelab step --scenario content-first --strategy naive --seed 1 --delay bos-relay=0')
    expect(frame()).not.toContain('delays and wakes')
  })

  it('d refuses a value the flag would refuse, naming it, and keeps the run', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['d', KEYS.enter, KEYS.backspace, KEYS.backspace, 'soon', KEYS.enter], '--delay bos-relay=soon: bos-relay: "soon" is not a duration')

    // Then the form stays open on the value, and the run is the one it was
    expect(frame()).toContain('type the new value')
    expect(frame()).toContain('run FAILS')
    expect(frame()).toContain('$ racelab step --scenario content-first --strategy naive --seed 1\n')
  })

  it('d toggles a wake: Enter on wake bos', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))
    await press(['d'], 'delays and wakes')

    // When: up from the first row wraps to the last rows, the wakes
    await press(['\u001B[A'], /▶ wake els\s+on/)
    await press(['\u001B[A', '\u001B[A'], /▶ wake bos\s+on/)
    await press([KEYS.enter], 're-simulated with --wake bos=off')

    // Then
    expect(frame()).toMatch(/▶ wake bos\s+off/)
    expect(frame()).toContain('--wake bos=off')
  })

  it('x toggles a fault on and off, simulating again each time', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'buffer'))

    // When
    await press(['x'], 'faults:')
    expect(frame()).toContain('[ ] relay-crash-after-publish')
    await press([KEYS.enter], '[x] relay-crash-after-publish')

    // Then
    expect(frame()).toContain('--fault relay-crash-after-publish')
    await press([' '], '[ ] relay-crash-after-publish')
    expect(frame()).toContain('re-simulated with no --fault relay-crash-after-publish')
    expect(frame()).not.toContain('$ racelab step --scenario content-first --strategy buffer --seed 1 --fault')
  })

  it('r draws the next seed', async () => {
    // Given
    const {press, frame} = await mount(simulate('random', 'naive'))

    // When
    await press(['r'], 're-simulated with --seed 2')

    // Then
    expect(frame()).toContain('random · naive · seed 2')
    expect(frame()).toContain('$ racelab step --scenario random --strategy naive --seed 2')
  })

  it('a change drops a replayed --schedule from the footer (it belongs to the old run)', async () => {
    // Given
    const first = simulate('random', 'buffer', {seed: 9})
    const {press, frame} = await mount(simulate('random', 'buffer', {seed: 9, schedule: first.run.result.schedule}))
    expect(frame()).toContain('--schedule ')

    // When
    await press(['s'], 'strategy partition-key')

    // Then
    expect(frame()).not.toContain('--schedule ')
  })
})

describe('LabApp: panels', () => {
  it('outbox: each outbox’s committed rows and the ones not published yet, with their age', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['2', 'l', 'l', 'l'], 'event 4/')

    // Then
    expect(frame()).toContain('bos   1 committed, 1 unpublished')
    expect(frame()).toContain('row 1 Registered b1, waiting 0.088s')
    expect(frame()).toContain('file  1 committed, 1 unpublished')
    await press(['l'], 'event 5/')
    expect(frame()).toContain('file  1 committed, 0 unpublished')
  })

  it('partitions: end offsets against the committed offsets of ELS’s group', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['3', 'l', 'l', 'l', 'l'], 'event 5/')

    // Then
    expect(frame()).toMatch(/Content\s+p2\s+end 1\s+committed 0\s+lag 1/)
    await press(['l'], 'event 6/')
    expect(frame()).toMatch(/Content\s+p2\s+end 1\s+committed 1/)
    await press(['l'], 'event 7/')
    expect(frame()).toMatch(/Excess\s+p2\s+end 1\s+\(ELS's output\)/)
  })

  it('slots: free, assigned and failed per batch, and readiness', async () => {
    // Given
    const {press, frame} = await mount(simulate('validation-failure', 'buffer'))

    // When
    await press(['4', 'G'], '(last event)')

    // Then
    expect(frame()).toMatch(/b1\s+\[AF\] 1 assigned, 1 failed, 0 free: READY/)
    await press(['g'], 'event 1/')
    expect(frame()).toContain('b1   unknown at ELS')
  })

  it('pending: the buffer’s rows with their age, growing as time passes, drained at registration', async () => {
    // Given
    const lab = simulate('content-first', 'buffer')
    const {press, frame} = await mount(lab)
    const buffered = lab.run.trace.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'buffered')

    // When
    await press(['5', ...Array.from({length: buffered}, () => 'l')], `event ${buffered + 1}/`)

    // Then
    expect(frame()).toContain('b1   text-b1-f2 (content), age 0.000s')
    await press(['l', 'l'], `event ${buffered + 3}/`)
    expect(frame()).toMatch(/b1\s+text-b1-f2 \(content\), age 0\.0\d\ds/)
    await press(['G'], '(last event)')
    expect(frame()).toContain('pending buffer empty')
  })

  it('invariants: each holds until the event that broke it, then turns red; f jumps there', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'))

    // When
    await press(['6'], '[6 invariants]')

    // Then
    expect(frame()).toContain('✓ ready-exactly-once')
    await press(['f'], 'first violation at event 6')
    expect(frame()).toContain('✗ ready-exactly-once b1 (event 6): never became ready')
    expect(frame()).toContain('[6 invariants ✗2]')
    await press(['h'], 'event 5/')
    expect(frame()).toContain('✓ ready-exactly-once')
  })

  it('f says so when no invariant is violated', async () => {
    // Given
    const {press} = await mount(simulate('content-first', 'buffer'))

    // When / Then
    await press(['f'], 'no invariant is violated in this run')
  })

  it('tab cycles the panels', async () => {
    // Given
    const {press} = await mount(simulate('content-first', 'naive'))

    // When / Then
    await press([KEYS.tab], '[2 outbox]')
    await press([KEYS.tab, KEYS.tab], '[4 slots]')
  })

  it('a wide terminal shows the panels beside the swimlane, all at once', async () => {
    // Given
    const {press, frame} = await mount(simulate('content-first', 'naive'), {size: {columns: 170, rows: 45}})

    // When
    await press(['f'], 'first violation')

    // Then
    const text = frame()
    expect(text).not.toContain('[1 batches]')
    for (const panel of ['invariants ✗2', 'slots', 'pending', 'outbox', 'partitions']) expect(text).toContain(`── ${panel} `)
    expect(text).toMatch(/▶!\s+0\.213s .*Content b1-f2:….*✓ failures-counted-once/)
    expect(text).toMatch(/register b1 +✗ ready-exactly-once b1 \(event 6\)/)
    expect(text).toContain(KEY_HELP)
  })
})

describe('LabApp: export', () => {
  const typePath = (path: string): string[] => [...Array.from({length: 60}, () => KEYS.backspace), path]

  it('e exports the run as a trace, and asks before replacing a file of the user’s', async () => {
    // Given a file of the user's at the path
    const dir = mkdtempSync(join(tmpdir(), 'racelab-lab-'))
    const path = join(dir, 'notes.jsonl')
    writeFileSync(path, 'my notes\n')
    const lab = simulate('content-first', 'naive')
    const {press, frame} = await mount(lab, {size: {columns: 160, rows: 40}})

    // When
    await press(['e'], 'export the current run')
    await press(['t'], 'racelab-content-first-naive-1.jsonl█')
    await press([...typePath(path), KEYS.enter], 'Replace it?')

    // Then it asks, and n keeps the file
    expect(frame()).toContain('exists and is not one racelab wrote')
    await press(['n'], 'kept the file')
    expect(readFileSync(path, 'utf8')).toBe('my notes\n')

    // When y replaces it
    await press([KEYS.enter], 'Replace it?')
    await press(['y'], 'exported the run as a trace')
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(JSON.stringify(lab.run.trace[0]))
  })

  it('e exports the run as a fixture that replays it', async () => {
    // Given
    const dir = mkdtempSync(join(tmpdir(), 'racelab-lab-'))
    const path = join(dir, 'race.yaml')
    const {press} = await mount(simulate('content-first', 'naive'), {size: {columns: 160, rows: 40}})

    // When
    await press(['e', 'f'], 'racelab-content-first-naive-1.yaml█')
    await press([...typePath(path), KEYS.enter], 'exported the run as a fixture')

    // Then
    const text = readFileSync(path, 'utf8')
    expect(text).toContain('scenario: content-first')
    expect(text).toContain('seed: 1')
    expect(text).toMatch(/naive:/)
  })
})
