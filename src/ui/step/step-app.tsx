import {Box, Text, useApp, useInput, useStdin, useStdout, type Key} from 'ink'
import {useEffect, useMemo, useState} from 'react'

import {explainViolation} from '../../sim/search/explain.js'
import {formatSeconds} from '../../sim/kernel/time.js'
import type {SimulationRun} from '../../sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../sim/trace/trace-event.js'
import {swimlane} from '../swimlane-rows.js'
import {DETAILS_HEIGHT, EventDetails} from './event-details.js'
import {stateAt} from './state-at.js'
import {StatePane, statePaneHeight, stateTitle} from './state-pane.js'
import {follow, SwimlaneWindow} from './swimlane-window.js'
import {VerdictPane, verdictHeight} from './verdict-pane.js'

export interface TerminalSize {
  columns: number
  rows: number
}

export interface StepAppProps {
  run: SimulationRun
  /** Terminal size; read from stdout (and followed on resize) when absent. */
  size?: TerminalSize
}

/** ELS's own events: an instance handling, crashing, restarting, rejoining or expiring (not its relay). */
export const isElsEvent = (event: TraceEvent): boolean => /^els(-\d+)?$/.test(event.svc)

/** The first event after `from` that ELS did, or `from` when there is none. */
export function nextElsEvent(trace: readonly TraceEvent[], from: number): number {
  for (let i = from + 1; i < trace.length; i++) if (isElsEvent(trace[i])) return i
  return from
}

/** The last event before `from` that ELS did, or `from` when there is none. */
export function previousElsEvent(trace: readonly TraceEvent[], from: number): number {
  for (let i = from - 1; i >= 0; i--) if (isElsEvent(trace[i])) return i
  return from
}

export const KEY_HELP = '→/l/space next  ←/h previous  PgDn/PgUp ±10  g/G first/last  n/N next/previous ELS event  v verdict  q quit'

const STATE_ROWS = 6
const MIN_WINDOW = 3

function useTerminalSize(fixed: TerminalSize | undefined): TerminalSize {
  const {stdout} = useStdout()
  const read = (): TerminalSize => ({columns: stdout.columns || 100, rows: stdout.rows || 30})
  const [size, setSize] = useState(read)
  useEffect(() => {
    if (fixed) return
    const onResize = () => setSize({columns: stdout.columns || 100, rows: stdout.rows || 30})
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [fixed, stdout])
  return fixed ?? size
}

export type KeyCommand =
  | {kind: 'quit'}
  | {kind: 'verdict'}
  | {kind: 'move'; to: (cursor: number, trace: readonly TraceEvent[]) => number}

const move = (to: (cursor: number, trace: readonly TraceEvent[]) => number): KeyCommand => ({kind: 'move', to})

/** What a key does (moves are clamped to the run by the caller). */
export function keyCommand(input: string, key: Partial<Key>): KeyCommand | undefined {
  if (input === 'q' || key.escape) return {kind: 'quit'}
  if (input === 'v') return {kind: 'verdict'}
  if (key.rightArrow || key.downArrow || input === 'l' || input === 'j' || input === ' ') return move((c) => c + 1)
  if (key.leftArrow || key.upArrow || input === 'h' || input === 'k') return move((c) => c - 1)
  if (key.pageDown) return move((c) => c + 10)
  if (key.pageUp) return move((c) => c - 10)
  if (input === 'g' || key.home) return move(() => 0)
  if (input === 'G' || key.end) return move((_, trace) => trace.length - 1)
  if (input === 'n') return move((c, trace) => nextElsEvent(trace, c))
  if (input === 'N') return move((c, trace) => previousElsEvent(trace, c))
  return undefined
}

interface View {
  cursor: number
  /** First swimlane row shown. */
  top: number
  /** The verdict pane once `v` was pressed; until then it shows at the last event only. */
  verdict: boolean | undefined
}

function Rule({label, columns}: {label: string; columns: number}) {
  const head = `── ${label} `
  return <Text dimColor wrap="truncate-end">{head + '─'.repeat(Math.max(0, columns - 1 - head.length))}</Text>
}

/**
 * Steps through one simulated run event by event: a header with the position and virtual time,
 * a swimlane window that follows the cursor, the event's details, the state of every batch after
 * it, and the verdict at the end (or with `v`).
 */
export function StepApp({run, size}: StepAppProps) {
  const {result, trace} = run
  const total = trace.length
  const last = total - 1
  const {columns, rows} = useTerminalSize(size)
  const {exit} = useApp()
  const {isRawModeSupported} = useStdin()
  const [view, setView] = useState<View>({cursor: 0, top: 0, verdict: undefined})

  const model = useMemo(() => swimlane(trace), [trace])
  const finalState = useMemo(() => stateAt(trace, last), [trace, last])
  const extra = useMemo(
    () => ({lost: finalState.batches.some((b) => b.lost > 0), expired: finalState.batches.some((b) => b.expired > 0)}),
    [finalState],
  )
  const state = useMemo(() => stateAt(trace, view.cursor), [trace, view.cursor])
  const explanation = useMemo(
    () => (result.violations.length > 0 ? explainViolation(run, result.violations[0].invariant) : undefined),
    [run, result],
  )

  const showVerdict = view.verdict ?? view.cursor === last
  const stateRows = Math.min(STATE_ROWS, Math.max(1, finalState.batches.length))
  const fixedLines =
    2 + // header
    1 + // lane header
    1 + DETAILS_HEIGHT +
    1 + statePaneHeight(finalState.batches.length, stateRows) +
    1 // key help
  // Keep the frame shorter than the terminal: Ink clears the whole screen on every frame otherwise.
  const room = rows - 1 - fixedLines
  const verdictRoom = Math.max(3, room - MIN_WINDOW - 1)
  const verdictLines = showVerdict ? 1 + Math.min(verdictHeight(result, explanation, columns), verdictRoom) : 0
  const height = Math.max(MIN_WINDOW, room - verdictLines)
  const top = follow(view.top, view.cursor, height, total)

  const moveTo = (target: (cursor: number) => number) =>
    setView((v) => {
      const cursor = Math.max(0, Math.min(last, target(v.cursor)))
      return {...v, cursor, top: follow(v.top, cursor, height, total)}
    })

  useInput(
    (input, key) => {
      // Keys that arrive together (typed fast, or sent by tmux send-keys) come as one string.
      const commands = input.length > 1 ? [...input].map((char) => keyCommand(char, {})) : [keyCommand(input, key)]
      for (const command of commands) {
        if (command === undefined) continue
        if (command.kind === 'quit') return exit()
        if (command.kind === 'verdict') setView((v) => ({...v, verdict: !(v.verdict ?? v.cursor === last)}))
        else moveTo((cursor) => command.to(cursor, trace))
      }
    },
    {isActive: isRawModeSupported === true},
  )

  const event = trace[view.cursor]
  const harmful = model.rows[view.cursor]?.harmful ?? false
  const failed = result.verdict === 'fail'
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold>racelab step</Text>
        {`  scenario ${result.scenario}  strategy ${result.strategy}  seed ${result.seed}   `}
        <Text color={failed ? 'red' : 'green'}>
          {failed ? `run FAILS: ${result.violations.length} violation${result.violations.length === 1 ? '' : 's'}` : 'run passes'}
        </Text>
      </Text>
      {event === undefined ? (
        <Text>the run produced no events</Text>
      ) : (
        <Text wrap="truncate-end">
          <Text bold>
            event {view.cursor + 1}/{total}
          </Text>
          {`  t=${formatSeconds(event.t)}  ${event.svc} ${event.ev}`}
          {harmful ? <Text color="red">{'  ! handled before its registration'}</Text> : null}
          {view.cursor === last ? <Text dimColor>{'  (last event)'}</Text> : null}
          {total > height ? <Text dimColor>{`  [rows ${top + 1}-${Math.min(total, top + height)} of ${total}]`}</Text> : null}
        </Text>
      )}
      <SwimlaneWindow model={model} cursor={view.cursor} top={top} height={height} columns={columns} />
      <Rule label="details" columns={columns} />
      {event === undefined ? <Box height={DETAILS_HEIGHT} /> : <EventDetails event={event} harmful={harmful} />}
      <Rule label={stateTitle(state)} columns={columns} />
      <StatePane state={state} extra={extra} maxRows={stateRows} />
      {showVerdict ? (
        <>
          <Rule label="verdict" columns={columns} />
          <VerdictPane result={result} explanation={explanation} columns={columns} maxHeight={verdictRoom} />
        </>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {isRawModeSupported ? KEY_HELP : 'keys unavailable: stdin is not a terminal'}
      </Text>
    </Box>
  )
}
