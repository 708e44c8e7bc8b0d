import {execFileSync} from 'node:child_process'
import {resolve} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

// The lab end to end: the built CLI in a real 80x24 terminal (tmux), driven by keys, read back
// with capture-pane. Each test polls the pane until the text it waits for appears (bounded), never
// sleeps a fixed time. .ci/run installs tmux.

const root = resolve(import.meta.dirname, '../..')
const bin = resolve(root, 'bin/run.js')
const WAIT_MS = 20_000
const sessions: string[] = []

const tmux = (...args: string[]): string => execFileSync('tmux', args, {encoding: 'utf8'})

/** Starts `racelab step ARGS` in a detached 80x24 tmux session of its own. */
function open(args: string): string {
  const session = `racelab-lab-${process.pid}-${sessions.length + 1}`
  sessions.push(session)
  // CI=true as CI machines set it: Ink would draw only its last frame there, the lab must not.
  // remain-on-exit keeps the pane (and what the command printed) after racelab quits.
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `CI=true node ${bin} step ${args}`)
  tmux('set-option', '-t', session, 'remain-on-exit', 'on')
  return session
}

/** Starts a plain bash in a detached 80x24 tmux session of its own, to run the lab from and look at the terminal after it. */
function openShell(): string {
  const session = `racelab-lab-${process.pid}-${sessions.length + 1}`
  sessions.push(session)
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', 'env PS1="$ " bash --norc --noprofile')
  return session
}

/** Whether tmux shows the pane's cursor (Ink hides it while the lab draws). */
const cursorShown = (session: string): boolean => tmux('display-message', '-p', '-t', session, '#{cursor_flag}').trim() === '1'

const pane = (session: string): string => tmux('capture-pane', '-p', '-t', session)

/** Polls the pane until `expected` shows (at most WAIT_MS); returns the pane. */
async function until(session: string, expected: string | RegExp | ((pane: string) => boolean)): Promise<string> {
  const deadline = Date.now() + WAIT_MS
  let text = ''
  while (Date.now() < deadline) {
    text = pane(session)
    if (typeof expected === 'string' ? text.includes(expected) : expected instanceof RegExp ? expected.test(text) : expected(text)) return text
    await new Promise((done) => setTimeout(done, 50))
  }
  throw new Error(`the pane never showed ${typeof expected === 'function' ? 'a change' : String(expected)} within ${WAIT_MS} ms; it shows:\n${text}`)
}

const keys = (session: string, ...names: string[]): void => {
  tmux('send-keys', '-t', session, ...names)
}

afterEach(() => {
  for (const session of sessions.splice(0)) {
    try {
      tmux('kill-session', '-t', session)
    } catch {
      // already gone
    }
  }
})

describe('racelab step in a terminal (tmux, 80x24)', () => {
  it('content-first under naive: step to the violation, switch to buffer, see the batch become ready', {timeout: 90_000}, async () => {
    // Given the lab on the race
    const session = open('--scenario content-first --strategy naive')
    await until(session, 'event 1/13')

    // When stepping to the first violation
    keys(session, 'f')
    let text = await until(session, 'first violation at event 6')

    // Then the event is the harmful reordering and the invariants are red
    expect(text).toContain('! before its registration')
    expect(text).toContain('✗ ready-exactly-once b1 (event 6)')
    keys(session, '4')
    await until(session, 'b1   unknown at ELS, 1 reported excess')

    // When switching the strategy: the run is simulated again, the cursor stays at 0.213s
    keys(session, 's')
    text = await until(session, 'content-first · buffer · seed 1  run passes')
    expect(text).toContain('cursor kept at 0.213s')
    expect(text).toContain('$ racelab step --scenario content-first --strategy buffer --seed 1')
    expect(text).not.toContain('READY')

    // Then stepping on through ELS's events, the batch becomes ready
    for (let i = 0; i < 10 && !pane(session).includes('READY'); i++) {
      const before = pane(session)
      keys(session, 'n')
      await until(session, (t) => t !== before)
    }
    text = await until(session, /b1\s+\[AA\] 2 assigned, 0 failed, 0 free: READY/)

    // And q restores the terminal and prints the run it was opened on and the one it was left on
    // (the terminal wraps those lines at 80 columns: read them unwrapped)
    keys(session, 'q')
    const unwrapped = (t: string) => t.replace(/\n/g, '')
    text = unwrapped(await until(session, (t) => unwrapped(t).includes('the lab was left on: racelab step --scenario content-first --strategy buffer --seed 1')))
    expect(text).toContain('FAIL ready-exactly-once b1, no-false-excess b1; reproduce: racelab run --scenario content-first --strategy naive --seed 1')
  })

  it('naive: editing the BOS relay delay down to 0 makes the race disappear', {timeout: 90_000}, async () => {
    // Given
    const session = open('--scenario content-first --strategy naive')
    await until(session, 'run FAILS: 2 violations')

    // When the delay form opens on BOS's relay and its value is edited to 0
    keys(session, 'd')
    let text = await until(session, 'delays and wakes')
    expect(text).toMatch(/▶ bos-relay\s+2s/)
    keys(session, 'Enter')
    await until(session, 'bos-relay        2s█')
    keys(session, 'BSpace', 'BSpace', '0')
    await until(session, 'bos-relay        0█')
    keys(session, 'Enter')

    // Then the run passes: no reordering, no violation
    text = await until(session, 'run passes')
    expect(text).toContain('re-simulated with --delay bos-relay=0')
    expect(text).toMatch(/\$ racelab step --scenario content-first --strategy naive --seed 1 --delay\s+bos-relay=0/)
    keys(session, 'f')
    await until(session, 'no invariant is violated in this run')
    keys(session, 'G', '4')
    await until(session, /b1\s+\[AA\] 2 assigned, 0 failed, 0 free: READY/)
  })

  it.each([
    ['Ctrl-C', 'C-c'],
    ['q', 'q'],
  ])('%s restores the terminal: the cursor shows again, the line discipline is back (icanon, echo), exit 1 as the run', {timeout: 90_000}, async (_name, key) => {
    // Given the lab, started from a shell, has the terminal (raw mode, the cursor hidden)
    const session = openShell()
    keys(session, `CI=true node ${bin} step --scenario content-first --strategy naive; echo "EXIT=$?"`, 'Enter')
    await until(session, 'event 1/13')
    expect(cursorShown(session)).toBe(false)

    // When
    keys(session, key)
    await until(session, /^EXIT=1$/m)

    // Then the shell gets back the terminal it had: cursor visible, canonical input with echo
    expect(cursorShown(session)).toBe(true)
    keys(session, "stty -a | tr ' ;' '\\n\\n' | grep -x -E -- '-?(icanon|echo)' | paste -sd, | sed 's/^/STTY:/'", 'Enter')
    const text = await until(session, /^STTY:.*$/m)
    expect(text).toMatch(/^STTY:icanon,echo$/m)
  })
})
