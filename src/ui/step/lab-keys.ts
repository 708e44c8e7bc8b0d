import type {Key} from 'ink'

import {nextElsEvent, previousElsEvent} from '../../sim/lab/lab-navigation.js'
import type {TraceEvent} from '../../sim/trace/trace-event.js'

/** What a key does in the lab's main view (forms read their keys themselves). */
export type LabCommand =
  | {kind: 'quit'}
  | {kind: 'verdict'}
  | {kind: 'play'}
  | {kind: 'faster'}
  | {kind: 'slower'}
  | {kind: 'strategy'}
  | {kind: 'split'}
  | {kind: 'delays'}
  | {kind: 'faults'}
  | {kind: 'seed'}
  | {kind: 'violation'}
  | {kind: 'export'}
  | {kind: 'tab'; to: (tab: number, tabs: number) => number}
  | {kind: 'move'; to: (cursor: number, trace: readonly TraceEvent[]) => number}

const move = (to: (cursor: number, trace: readonly TraceEvent[]) => number): LabCommand => ({kind: 'move', to})

const SIMPLE: Record<string, LabCommand['kind']> = {
  q: 'quit',
  v: 'verdict',
  ' ': 'play',
  '+': 'faster',
  '=': 'faster',
  '-': 'slower',
  s: 'strategy',
  S: 'split',
  d: 'delays',
  x: 'faults',
  r: 'seed',
  f: 'violation',
  e: 'export',
}

/** What a key does in the main view (moves are clamped to the run by the caller). */
export function labCommand(input: string, key: Partial<Key>): LabCommand | undefined {
  if (key.escape) return {kind: 'quit'}
  if (key.tab) return {kind: 'tab', to: (tab, tabs) => (tab + (key.shift ? tabs - 1 : 1)) % tabs}
  if (/^[1-6]$/.test(input)) return {kind: 'tab', to: (_, tabs) => Math.min(tabs - 1, Number(input) - 1)}
  const simple = SIMPLE[input]
  if (simple !== undefined) return {kind: simple} as LabCommand
  if (key.rightArrow || key.downArrow || input === 'l' || input === 'j') return move((c) => c + 1)
  if (key.leftArrow || key.upArrow || input === 'h' || input === 'k') return move((c) => c - 1)
  if (key.pageDown) return move((c) => c + 10)
  if (key.pageUp) return move((c) => c - 10)
  if (input === 'g' || key.home) return move(() => 0)
  if (input === 'G' || key.end) return move((_, trace) => trace.length - 1)
  if (input === 'n') return move((c, trace) => nextElsEvent(trace, c))
  if (input === 'N') return move((c, trace) => previousElsEvent(trace, c))
  return undefined
}

/** The key help, long (a wide terminal) and short (80 columns). */
export const KEY_HELP =
  'space play  +/- speed  ←→ event  n/N ELS event  g/G first/last  s strategy  S split  d delays  x faults  r seed  f violation  e export  tab panel  v verdict  q quit'
export const KEY_HELP_SHORT = 'spc play +/- speed ←→ event n/N ELS s strat S split d delay x fault r seed f viol e export tab panel v verdict q'

/**
 * Play speeds, in simulated time per frame of FRAME_MS: from 1 simulated ms per frame to real
 * time (one frame's worth of simulated time per frame).
 */
export const FRAME_MS = 50
export const SPEEDS_US = [1000, 2000, 5000, 10_000, 20_000, FRAME_MS * 1000] as const
export const DEFAULT_SPEED = 3

export const speedLabel = (index: number): string => (SPEEDS_US[index] === FRAME_MS * 1000 ? 'real time' : `${SPEEDS_US[index] / 1000}ms/frame`)

/** A gap with nothing happening longer than this is skipped while playing (a 24 h pending timeout). */
export const IDLE_SKIP_US = 5_000_000
