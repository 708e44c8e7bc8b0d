import {Box, Text, useApp, useInput, useStdin, useStdout, type Key} from 'ink'
import {useEffect, useMemo, useRef, useState} from 'react'

import {explainViolation} from '../../sim/search/explain.js'
import {formatSeconds, type Micros} from '../../sim/kernel/time.js'
import {stateAt} from '../../sim/lab/batch-state-at.js'
import {firstViolation, invariantsAt} from '../../sim/lab/invariant-breaks.js'
import {nextStrategy, toggleFault, withDelay, withNextSeed, withStrategy, withWake, type LabConfig} from '../../sim/lab/lab-config.js'
import {defaultExportPath, exportLabRun, type ExportKind, type ExportOutcome} from '../../sim/lab/lab-export.js'
import {simulateLab, type LabRun} from '../../sim/lab/lab-run.js'
import {indexAtTime, labStateAt} from '../../sim/lab/lab-state-at.js'
import type {Strategy} from '../../sim/scenario/strategy.js'
import type {StyledLine} from '../styled-line.js'
import {StyledLines} from '../styled-lines.js'
import {swimlane} from '../swimlane-rows.js'
import {EventDetails} from './event-details.js'
import {DELAY_ROWS, delayRowValue, FAULT_ROWS, formLines, type LabForm} from './lab-forms.js'
import {DEFAULT_SPEED, FRAME_MS, IDLE_SKIP_US, KEY_HELP, KEY_HELP_SHORT, labCommand, SPEEDS_US, speedLabel} from './lab-keys.js'
import {brokenCount, PANELS, panelLines, panelTabBar, type PanelName} from './lab-panel-lines.js'
import {splitColumnLines} from './lab-split-lines.js'
import {StatePane, statePaneHeight, stateTitle} from './state-pane.js'
import {follow, SwimlaneWindow} from './swimlane-window.js'
import {VerdictPane} from './verdict-pane.js'

export interface TerminalSize {
  columns: number
  rows: number
}

export type Exporter = (lab: LabRun, kind: ExportKind, path: string, force: boolean) => ExportOutcome

export interface LabAppProps {
  /** The run the command simulated first. */
  initial: LabRun
  /** Simulates a changed config (default: in memory, deterministic). */
  simulate?: (config: LabConfig) => LabRun
  /** Writes the current run as a fixture or a trace (default: under racelab's file rule, in the working directory). */
  exporter?: Exporter
  /** Terminal size; read from stdout (and followed on resize) when absent. */
  size?: TerminalSize
  /** Milliseconds per play frame (tests make it short). */
  frameMs?: number
  /** Told the run the lab shows when it quits (the command prints its command line). */
  onQuit?: (lab: LabRun) => void
}

/** Wider than this, the panels stand beside the swimlane; narrower, they are tabs below it. */
export const WIDE = 150
const SIDE_WIDTH = 58

interface View {
  lab: LabRun
  /** The second strategy's run on the same seed, in the split view. */
  split?: LabRun
  cursor: number
  top: number
  verdict: boolean
  playing: boolean
  speed: number
  /** Virtual time the play head is at (between events while playing). */
  playT: Micros
  tab: number
  form?: LabForm
  message?: StyledLine
}

function useTerminalSize(fixed: TerminalSize | undefined): TerminalSize {
  const {stdout} = useStdout()
  const read = (): TerminalSize => ({columns: stdout.columns || 100, rows: stdout.rows || 30})
  const [size, setSize] = useState(read)
  useEffect(() => {
    if (fixed) return
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [fixed, stdout])
  return fixed ?? size
}

function Rule({label, columns}: {label: string; columns: number}) {
  const head = `── ${label} `
  return <Text dimColor wrap="truncate-end">{head + '─'.repeat(Math.max(0, columns - 1 - head.length))}</Text>
}

/** Lines `text` takes at `columns` (hard wrap). */
const heightOf = (text: string, columns: number): number => Math.max(1, Math.ceil(text.length / Math.max(1, columns - 1)))

/** One character of a chunk of input as the key it is (Enter, Backspace and Tab come as control characters). */
function charKey(char: string): [string, Partial<Key>] {
  if (char === '\r' || char === '\n') return ['', {return: true}]
  if (char === '\u007F' || char === '\b') return ['', {backspace: true}]
  if (char === '\t') return ['', {tab: true}]
  return [char, {}]
}

/** The other strategy of the split view: buffer beside anything else, naive beside buffer. */
const splitPartner = (strategy: Strategy): Strategy => (strategy === 'buffer' ? 'naive' : 'buffer')

/**
 * The interactive lab: a run stepped or played in virtual time, changed and simulated again in
 * place (strategy, a split view of two strategies, delays, wakes, faults, seed) with the cursor
 * kept at the same virtual time, and panels for what each part of the system holds at the cursor.
 * Every panel is derived from the trace prefix (src/sim/lab/lab-state-at.ts); this component only
 * keeps the view, reads keys and runs the play timer (timers belong here, never in src/sim).
 */
export function LabApp({initial, simulate = simulateLab, exporter = exportLabRun, size, frameMs = FRAME_MS, onQuit}: LabAppProps) {
  const {columns, rows} = useTerminalSize(size)
  const {exit} = useApp()
  const {isRawModeSupported} = useStdin()
  const [view, setView] = useState<View>(() => ({lab: initial, cursor: 0, top: 0, verdict: false, playing: false, speed: DEFAULT_SPEED, playT: initial.run.trace[0]?.t ?? 0, tab: 0}))
  // Keys are applied one after another to the latest view (several may arrive in one chunk).
  const current = useRef(view)
  const update = (next: View) => {
    current.current = next
    setView(next)
  }

  const {lab} = view
  const {result, trace} = lab.run
  const total = trace.length
  const last = total - 1
  const wide = columns >= WIDE
  const mainColumns = wide ? columns - SIDE_WIDTH - 1 : columns

  const model = useMemo(() => swimlane(trace), [trace])
  const finalState = useMemo(() => stateAt(trace, last), [trace, last])
  const extra = useMemo(() => ({lost: finalState.batches.some((b) => b.lost > 0), expired: finalState.batches.some((b) => b.expired > 0)}), [finalState])
  const state = useMemo(() => labStateAt(trace, view.cursor, lab.routing), [trace, view.cursor, lab.routing])
  const statuses = useMemo(() => invariantsAt(lab.breaks, view.cursor), [lab.breaks, view.cursor])
  const explanation = useMemo(() => (result.violations.length > 0 ? explainViolation(lab.run, result.violations[0].invariant) : undefined), [lab.run, result])
  const broken = brokenCount(statuses)

  // Layout: fixed lines first, then the swimlane gets what is left (the frame stays shorter than
  // the terminal: Ink redraws the whole screen, flickering, when a frame fills it).
  const footer = `$ ${lab.command}`
  const help = columns >= KEY_HELP.length + 1 ? KEY_HELP : KEY_HELP_SHORT
  const footerLines = heightOf(footer, columns)
  const helpLines = heightOf(help, columns)
  const detailsHeight = rows >= 30 ? 4 : 2
  const batchRows = Math.max(1, finalState.batches.length)
  const panelHeight = wide ? 0 : Math.max(4, Math.min(12, Math.floor((rows - 14) / 2.2)))
  const statePane = wide ? statePaneHeight(finalState.batches.length, Math.min(6, batchRows)) + 1 : 0
  const fixed = 2 + 1 + 1 + detailsHeight + (wide ? statePane : 1 + panelHeight) + 1 + footerLines + helpLines
  const height = Math.max(3, rows - 1 - fixed)
  const top = follow(view.top, view.cursor, height, total)

  const withCursor = (v: View, cursor: number): View => {
    const clamped = Math.max(0, Math.min(v.lab.run.trace.length - 1, cursor))
    return {...v, cursor: clamped, top: follow(v.top, clamped, height, v.lab.run.trace.length), playT: v.lab.run.trace[clamped]?.t ?? 0}
  }

  /** Simulates the changed config (and the split's partner), keeping the cursor at the same virtual time. */
  const resimulate = (v: View, config: LabConfig, what: string): View => {
    let next: LabRun
    let split: LabRun | undefined
    try {
      next = simulate(config)
      split = v.split === undefined ? undefined : simulate(withStrategy(config, splitPartner(config.strategy)))
    } catch (error) {
      return {...v, message: {text: `cannot run that: ${(error as Error).message}`, tone: 'fail'}}
    }
    const t = v.lab.run.trace[v.cursor]?.t ?? 0
    const cursor = indexAtTime(next.run.trace, t)
    const verdict = next.run.result.verdict === 'fail' ? `FAILS (${next.run.result.violations.map((x) => x.invariant).join(', ')})` : 'passes'
    return {
      ...v,
      lab: next,
      split,
      cursor,
      top: follow(0, cursor, height, next.run.trace.length),
      playT: next.run.trace[cursor]?.t ?? 0,
      message: {text: `re-simulated with ${what}: run ${verdict}; cursor kept at ${formatSeconds(t)}`, tone: next.run.result.verdict === 'fail' ? 'warn' : 'pass'},
    }
  }

  const finishExport = (v: View, kind: ExportKind, path: string, force: boolean): View => {
    const outcome = exporter(v.lab, kind, path, force)
    if (outcome.kind === 'written') return {...v, form: undefined, message: {text: `exported the run as a ${kind}: ${outcome.path}`, tone: 'pass'}}
    if (outcome.kind === 'exists') return {...v, form: {kind: 'export-confirm', exportKind: kind, path, why: outcome.why}}
    return {...v, form: {kind: 'export-path', exportKind: kind, path, error: `not written: ${outcome.why}`}}
  }

  /** A key while a form is open. */
  const formKey = (v: View, form: LabForm, input: string, key: Partial<Key>): View => {
    const config = v.lab.config
    switch (form.kind) {
      case 'delays': {
        const row = DELAY_ROWS[form.selected]
        if (form.editing !== undefined) {
          if (key.escape) return {...v, form: {...form, editing: undefined, error: undefined}}
          if (key.return) {
            if (row.kind !== 'delay') return v
            try {
              const changed = withDelay(config, row.target, form.editing)
              return {...resimulate(v, changed, `--delay ${row.target}=${form.editing.trim()}`), form: undefined}
            } catch (error) {
              return {...v, form: {...form, error: (error as Error).message}}
            }
          }
          if (key.backspace || key.delete) return {...v, form: {...form, editing: form.editing.slice(0, -1), error: undefined}}
          if (input !== '' && !key.ctrl && !key.meta) return {...v, form: {...form, editing: form.editing + input, error: undefined}}
          return v
        }
        if (key.escape || input === 'q' || input === 'd') return {...v, form: undefined}
        if (key.upArrow || input === 'k') return {...v, form: {...form, selected: (form.selected + DELAY_ROWS.length - 1) % DELAY_ROWS.length, error: undefined}}
        if (key.downArrow || input === 'j') return {...v, form: {...form, selected: (form.selected + 1) % DELAY_ROWS.length, error: undefined}}
        if (key.return) {
          if (row.kind === 'delay') return {...v, form: {...form, editing: delayRowValue(row, v.lab.run.result.parameters), error: undefined}}
          const on = !v.lab.run.result.parameters.relays[row.service].wake
          return {...resimulate(v, withWake(config, row.service, on), `--wake ${row.service}=${on ? 'on' : 'off'}`), form}
        }
        return v
      }
      case 'faults': {
        if (key.escape || input === 'q' || input === 'x') return {...v, form: undefined}
        if (key.upArrow || input === 'k') return {...v, form: {...form, selected: (form.selected + FAULT_ROWS.length - 1) % FAULT_ROWS.length}}
        if (key.downArrow || input === 'j') return {...v, form: {...form, selected: (form.selected + 1) % FAULT_ROWS.length}}
        if (key.return || input === ' ') {
          const kind = FAULT_ROWS[form.selected]
          const toggled = toggleFault(config, kind)
          const next = resimulate(v, toggled, `${toggled.faults.length > config.faults.length ? '' : 'no '}--fault ${kind}`)
          return {...next, form: next.lab === v.lab ? {...form, error: next.message?.text} : form}
        }
        return v
      }
      case 'export-kind':
        if (input === 'f' || input === 't') {
          const exportKind: ExportKind = input === 'f' ? 'fixture' : 'trace'
          return {...v, form: {kind: 'export-path', exportKind, path: defaultExportPath(config, exportKind)}}
        }
        if (key.escape || input === 'q') return {...v, form: undefined}
        return v
      case 'export-path':
        if (key.escape) return {...v, form: undefined}
        if (key.return) return form.path.trim() === '' ? v : finishExport(v, form.exportKind, form.path.trim(), false)
        if (key.backspace || key.delete) return {...v, form: {...form, path: form.path.slice(0, -1), error: undefined}}
        if (input !== '' && !key.ctrl && !key.meta) return {...v, form: {...form, path: form.path + input, error: undefined}}
        return v
      case 'export-confirm':
        if (input === 'y') return finishExport(v, form.exportKind, form.path, true)
        if (input === 'n' || key.escape) return {...v, form: {kind: 'export-path', exportKind: form.exportKind, path: form.path, error: 'kept the file: type another path'}}
        return v
    }
  }

  /** A key in the main view. */
  const mainKey = (v: View, input: string, key: Partial<Key>): View | 'quit' => {
    const command = labCommand(input, key)
    if (command === undefined) return v
    const config = v.lab.config
    switch (command.kind) {
      case 'quit':
        return 'quit'
      case 'verdict':
        return {...v, verdict: !v.verdict}
      case 'play':
        if (v.playing) return {...v, playing: false, message: {text: `paused at ${formatSeconds(v.playT)}`, tone: 'dim'}}
        return {...(v.cursor >= v.lab.run.trace.length - 1 ? withCursor(v, 0) : v), playing: true, message: undefined}
      case 'faster':
        return {...v, speed: Math.min(SPEEDS_US.length - 1, v.speed + 1)}
      case 'slower':
        return {...v, speed: Math.max(0, v.speed - 1)}
      case 'strategy':
        return resimulate(v, withStrategy(config, nextStrategy(config.strategy)), `--strategy ${nextStrategy(config.strategy)}`)
      case 'split':
        if (v.split) return {...v, split: undefined, message: {text: 'split view closed', tone: 'dim'}}
        try {
          const partner = splitPartner(config.strategy)
          return {...v, split: simulate(withStrategy(config, partner)), message: {text: `split view: ${config.strategy} | ${partner}, same seed, same virtual time`, tone: 'dim'}}
        } catch (error) {
          return {...v, message: {text: `cannot run that: ${(error as Error).message}`, tone: 'fail'}}
        }
      case 'delays':
        return {...v, playing: false, form: {kind: 'delays', selected: 0}}
      case 'faults':
        return {...v, playing: false, form: {kind: 'faults', selected: 0}}
      case 'seed':
        return resimulate(v, withNextSeed(config), `--seed ${withNextSeed(config).seed}`)
      case 'violation': {
        const at = firstViolation(v.lab.breaks)
        if (at === undefined) return {...v, message: {text: 'no invariant is violated in this run', tone: 'pass'}}
        return {...withCursor(v, at), playing: false, tab: PANELS.indexOf('invariants'), message: {text: `first violation at event ${at + 1}`, tone: 'fail'}}
      }
      case 'export':
        return {...v, playing: false, form: {kind: 'export-kind'}}
      case 'tab':
        return {...v, tab: command.to(v.tab, PANELS.length)}
      case 'move':
        return {...withCursor(v, command.to(v.cursor, v.lab.run.trace)), playing: false}
    }
  }

  useInput(
    (input, key) => {
      // Keys that arrive together (typed fast, or sent by tmux send-keys) come as one string; an
      // escape sequence (an arrow) comes parsed in `key`.
      const keys: Array<[string, Partial<Key>]> = input.length > 1 && !key.escape ? [...input].map(charKey) : [[input, key]]
      let v = current.current
      for (const [char, k] of keys) {
        const next = v.form ? formKey(v, v.form, char, k) : mainKey(v, char, k)
        if (next === 'quit') {
          update(v)
          onQuit?.(v.lab)
          exit()
          return
        }
        v = next
      }
      update(v)
    },
    {isActive: isRawModeSupported === true},
  )

  // Play: the play head advances SPEEDS_US[speed] of virtual time per frame; the cursor is the
  // last event at or before it. A long idle stretch (a pending timeout) is skipped.
  useEffect(() => {
    if (!view.playing) return
    const timer = setInterval(() => {
      const v = current.current
      const run = v.lab.run.trace
      if (v.cursor >= run.length - 1) {
        update({...v, playing: false, message: {text: 'played to the last event', tone: 'dim'}})
        return
      }
      let playT = v.playT + SPEEDS_US[v.speed]
      const upcoming = run[v.cursor + 1].t
      if (upcoming - v.playT > IDLE_SKIP_US) playT = upcoming
      const cursor = indexAtTime(run, playT)
      update({...v, playT, cursor, top: follow(v.top, cursor, height, run.length)})
    }, frameMs)
    return () => clearInterval(timer)
  }, [view.playing, frameMs, height])

  const event = trace[view.cursor]
  const harmful = model.rows[view.cursor]?.harmful ?? false
  const failed = result.verdict === 'fail'
  const playState = view.playing ? `▶ ${speedLabel(view.speed)}` : `paused ${speedLabel(view.speed)}`
  const panel: PanelName = PANELS[view.tab]
  const linesOf = (name: PanelName): StyledLine[] => panelLines(name, state, statuses)
  const tabBar = panelTabBar(view.tab, broken)

  const mainArea = (() => {
    if (view.form) return <StyledLines truncate lines={formLines(view.form, lab.config, result.parameters, height + 1)} height={height + 1} />
    if (view.split) {
      const half = Math.floor((mainColumns - 1) / 2)
      const t = view.playT
      return (
        <Box height={height + 1}>
          <StyledLines truncate lines={splitColumnLines(lab, t, half, height + 1, view.cursor)} width={half} height={height + 1} />
          <Text> </Text>
          <StyledLines truncate lines={splitColumnLines(view.split, t, half, height + 1)} width={half} height={height + 1} />
        </Box>
      )
    }
    return <SwimlaneWindow model={model} cursor={view.cursor} top={top} height={height} columns={mainColumns} />
  })()

  const side = !wide ? null : view.verdict ? (
    <Box flexDirection="column" width={SIDE_WIDTH} marginLeft={1}>
      <Rule label="verdict" columns={SIDE_WIDTH} />
      <VerdictPane result={result} explanation={explanation} columns={SIDE_WIDTH} maxHeight={rows - 4} />
    </Box>
  ) : (
    <Box flexDirection="column" width={SIDE_WIDTH} marginLeft={1} flexShrink={0}>
      {(['invariants', 'slots', 'pending', 'outbox', 'partitions'] as const).flatMap((name) => [
        <Rule key={`${name}-rule`} label={name === 'invariants' && broken > 0 ? `invariants ✗${broken}` : name} columns={SIDE_WIDTH} />,
        <StyledLines truncate key={name} lines={linesOf(name).slice(0, name === 'invariants' ? 8 : 6)} />,
      ])}
    </Box>
  )

  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold>racelab step</Text>
        {`  ${result.scenario} · ${result.strategy} · seed ${result.seed}  `}
        <Text color={failed ? 'red' : 'green'}>{failed ? `run FAILS: ${result.violations.length} violation${result.violations.length === 1 ? '' : 's'}` : 'run passes'}</Text>
        {`  ${playState}`}
      </Text>
      {event === undefined ? (
        <Text>the run produced no events</Text>
      ) : (
        <Text wrap="truncate-end">
          <Text bold>
            event {view.cursor + 1}/{total}
          </Text>
          {`  t=${formatSeconds(view.playing ? view.playT : event.t)}  ${event.svc} ${event.ev}`}
          {harmful ? <Text color="red">{'  ! before its registration'}</Text> : null}
          {broken > 0 ? <Text color="red">{`  ✗ ${broken} broken`}</Text> : null}
          {view.cursor === last ? <Text dimColor>{'  (last event)'}</Text> : null}
          {total > height && !view.form && !view.split ? <Text dimColor>{`  [rows ${top + 1}-${Math.min(total, top + height)} of ${total}]`}</Text> : null}
        </Text>
      )}
      <Box>
        <Box flexDirection="column" width={mainColumns} flexShrink={0}>
          {mainArea}
          <Rule label="details" columns={mainColumns} />
          {event === undefined ? <Box height={detailsHeight} /> : <EventDetails event={event} harmful={harmful} height={detailsHeight} />}
          {wide ? (
            <>
              <Rule label={stateTitle(state)} columns={mainColumns} />
              <StatePane state={state} extra={extra} maxRows={Math.min(6, batchRows)} />
            </>
          ) : null}
        </Box>
        {side}
      </Box>
      {wide ? null : (
        <>
          <Text wrap="truncate-end" color={broken > 0 && panel !== 'invariants' ? 'red' : undefined} dimColor={!(broken > 0 && panel !== 'invariants')}>
            {tabBar}
          </Text>
          <Box height={panelHeight} flexDirection="column" overflow="hidden">
            {view.verdict ? (
              <VerdictPane result={result} explanation={explanation} columns={columns} maxHeight={panelHeight} />
            ) : (
              <StyledLines truncate lines={linesOf(panel)} height={panelHeight} />
            )}
          </Box>
        </>
      )}
      <StyledLines truncate lines={[view.message ?? {text: view.split ? `split: ${lab.config.strategy} | ${view.split.config.strategy}` : stateTitle(state), tone: 'dim'}]} />
      <Text wrap="wrap" dimColor>
        {footer}
      </Text>
      <Text dimColor wrap="wrap">
        {isRawModeSupported ? help : 'keys unavailable: stdin is not a terminal'}
      </Text>
    </Box>
  )
}
