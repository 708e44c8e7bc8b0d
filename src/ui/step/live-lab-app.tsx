import {Box, Text, useApp, useInput, useStdin, useStdout, type Key} from 'ink'
import {useEffect, useMemo, useRef, useState} from 'react'

import type {Routing} from '../../sim/domain/routing.js'
import {formatSeconds} from '../../sim/kernel/time.js'
import {invariantBreaks, invariantsAt} from '../../sim/lab/invariant-breaks.js'
import {labStateAt} from '../../sim/lab/lab-state-at.js'
import type {LiveFeed} from '../../sim/lab/live-feed.js'
import type {StyledLine} from '../styled-line.js'
import {StyledLines} from '../styled-lines.js'
import {swimlane} from '../swimlane-rows.js'
import {EventDetails} from './event-details.js'
import {labCommand} from './lab-keys.js'
import {brokenCount, PANELS, panelLines, panelTabBar, type PanelName} from './lab-panel-lines.js'
import {follow, SwimlaneWindow} from './swimlane-window.js'
import type {TerminalSize} from './lab-app.js'

export interface LiveLabAppProps {
  feed: LiveFeed
  title: string
  routing: Routing
  /** The command line that runs it again. */
  command: string
  size?: TerminalSize
  /** How often the view takes in new events (ms): a burst of events is one redraw, not one each. */
  refreshMs?: number
}

export const LIVE_KEY_HELP = 'space pause/follow  ←→ event  n/N ELS  g/G first/last  tab/1-6 panel  f violation  q quit'

/**
 * The lab on a live run (`racelab step --kafka`): the same swimlane and panels, fed by the live
 * shell as events happen. Following, the cursor stays on the newest event; space pauses the view
 * for reading (the run goes on, nothing waits for the view) and follows again. The invariants are
 * judged when the run ends, then each turns red at the event that broke it. Nothing here changes
 * a live run: strategy, delays and seed are the in-memory lab's.
 */
export function LiveLabApp({feed, title, routing, command, size, refreshMs = 100}: LiveLabAppProps) {
  const {stdout} = useStdout()
  const columns = size?.columns ?? (stdout.columns || 100)
  const rows = size?.rows ?? (stdout.rows || 30)
  const {exit} = useApp()
  const {isRawModeSupported} = useStdin()
  const [seen, setSeen] = useState({events: feed.events.length, outcome: feed.outcome, failure: feed.failure})
  const [view, setView] = useState({cursor: 0, top: 0, following: true, tab: 0})

  // Take in what the feed gathered at most every refreshMs: the timer is the view's, never the run's.
  useEffect(() => {
    let dirty = false
    const unsubscribe = feed.subscribe(() => {
      dirty = true
    })
    const timer = setInterval(() => {
      if (!dirty) return
      dirty = false
      setSeen({events: feed.events.length, outcome: feed.outcome, failure: feed.failure})
    }, refreshMs)
    return () => {
      unsubscribe()
      clearInterval(timer)
    }
  }, [feed, refreshMs])

  const trace = useMemo(() => feed.events.slice(0, seen.events), [feed, seen.events])
  const total = trace.length
  const last = total - 1
  const cursor = view.following ? Math.max(0, last) : Math.min(view.cursor, Math.max(0, last))
  const model = useMemo(() => swimlane(trace), [trace])
  const state = useMemo(() => labStateAt(trace, cursor, routing), [trace, cursor, routing])
  const breaks = useMemo(() => (seen.outcome ? invariantBreaks(trace, seen.outcome.violations) : []), [trace, seen.outcome])
  const statuses = invariantsAt(breaks, cursor)
  const broken = brokenCount(statuses)

  const panelHeight = Math.max(4, Math.min(10, Math.floor((rows - 14) / 2.2)))
  const fixed = 2 + 1 + 1 + 2 + 1 + panelHeight + 1 + 1 + 1
  const height = Math.max(3, rows - 1 - fixed)
  const top = view.following ? Math.max(0, total - height) : follow(view.top, cursor, height, total)

  // Keys read the latest frame's values (a handler from an earlier render would see old ones).
  const latest = useRef({cursor, top, trace, breaks, height, total, last})
  latest.current = {cursor, top, trace, breaks, height, total, last}

  useInput(
    (input: string, key: Key) => {
      const {cursor, top, trace, breaks, height, total, last} = latest.current
      const command = labCommand(input, key)
      if (command === undefined) return
      if (command.kind === 'quit') return exit()
      if (command.kind === 'play') setView((v) => (v.following ? {...v, following: false, cursor, top} : {...v, following: true}))
      if (command.kind === 'tab') setView((v) => ({...v, tab: command.to(v.tab, PANELS.length)}))
      if (command.kind === 'violation' && breaks.length > 0) {
        const at = Math.min(...breaks.map((b) => b.at))
        setView((v) => ({...v, following: false, cursor: at, top: follow(v.top, at, height, total), tab: PANELS.indexOf('invariants')}))
      }
      if (command.kind === 'move') {
        const to = Math.max(0, Math.min(last, command.to(cursor, trace)))
        setView((v) => ({...v, following: false, cursor: to, top: follow(top, to, height, total)}))
      }
    },
    {isActive: isRawModeSupported === true},
  )

  const panel: PanelName = PANELS[view.tab]
  const shownLines = (): StyledLine[] =>
    panel === 'invariants' && !seen.outcome ? [{text: 'judged when the run ends (the checker reads what an observer group read back)', tone: 'dim'}] : panelLines(panel, state, statuses)
  const status = seen.failure
    ? {text: `the live run stopped: ${seen.failure}`, tone: 'fail' as const}
    : seen.outcome
      ? {text: `the live run ended: ${seen.outcome.verdict === 'fail' ? `FAILS (${seen.outcome.violations.map((v) => v.invariant).join(', ')})` : 'passes'}`, tone: seen.outcome.verdict === 'fail' ? ('fail' as const) : ('pass' as const)}
      : view.following
        ? {text: `live: following the newest event (${total} so far); space pauses the view, the run goes on`, tone: 'dim' as const}
        : {text: `view paused at event ${cursor + 1}; the run goes on (${total} events so far); space follows again`, tone: 'warn' as const}
  const event = trace[cursor]
  const harmful = model.rows[cursor]?.harmful ?? false
  const tabBar = panelTabBar(view.tab, broken)
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold>racelab step --kafka</Text>
        {`  ${title}  `}
        {seen.outcome ? <Text color={seen.outcome.verdict === 'fail' ? 'red' : 'green'}>{seen.outcome.verdict === 'fail' ? 'run FAILS' : 'run passes'}</Text> : <Text color="yellow">running</Text>}
      </Text>
      <Text wrap="truncate-end">
        {event === undefined ? (
          'waiting for the first event (a consumer group joins first)'
        ) : (
          <>
            <Text bold>
              event {cursor + 1}/{total}
            </Text>
            {`  t=${formatSeconds(event.t)}  ${event.svc} ${event.ev}`}
            {harmful ? <Text color="red">{'  ! before its registration'}</Text> : null}
          </>
        )}
      </Text>
      <SwimlaneWindow model={model} cursor={cursor} top={top} height={height} columns={columns} />
      <Text dimColor wrap="truncate-end">{'── details ' + '─'.repeat(Math.max(0, columns - 12))}</Text>
      {event === undefined ? <Box height={2} /> : <EventDetails event={event} harmful={harmful} height={2} />}
      <Text wrap="truncate-end" dimColor>
        {tabBar}
      </Text>
      <StyledLines truncate lines={shownLines()} height={panelHeight} />
      <StyledLines truncate lines={[status]} height={1} />
      <Text dimColor wrap="truncate-end">
        $ {command}
      </Text>
      <Text dimColor wrap="truncate-end">
        {isRawModeSupported ? LIVE_KEY_HELP : 'keys unavailable: stdin is not a terminal'}
      </Text>
    </Box>
  )
}
