import type {Micros} from '../kernel/time.js'
import {quote} from '../printable.js'

const UNITS: ReadonlyMap<string, number> = new Map([
  ['us', 1],
  ['ms', 1000],
  ['s', 1_000_000],
  ['m', 60_000_000],
  ['h', 3_600_000_000],
])

/**
 * The longest duration racelab takes, for every --delay target, fault window and fixture: 30
 * days of virtual time. A run stops an hour after its pending timeout, so anything longer only
 * stretches the virtual clock of a run nobody can watch; 30 days is far past any timeout or
 * outage worth simulating, and sums of a few such values (a jitter's centre plus its spread, a
 * timeout plus the run's margin) stay exact integers, far below 2^53 µs.
 */
export const MAX_DURATION: Micros = 30 * 24 * 3_600_000_000
export const MAX_DURATION_TEXT = '30 days (720h)'

export type DurationParse = {ok: true; value: Micros} | {ok: false; error: string}

/**
 * A duration as people write it: `0`, `250us`, `5ms`, `1.5s`, `2m`, `24h`, at most
 * MAX_DURATION. A bare number other than 0 is refused: `500` could mean anything.
 */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim()
  if (trimmed === '0') return {ok: true, value: 0}
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(trimmed)
  if (!match) return {ok: false, error: `${quote(text)} is not a duration (use e.g. 500ms, 2s, 1.5s)`}
  const [, number, unit] = match
  if (unit === '') return {ok: false, error: `${quote(text)} has no unit (use us, ms, s, m or h)`}
  const scale = UNITS.get(unit.toLowerCase())
  if (scale === undefined) return {ok: false, error: `${quote(text)} has an unknown unit ${quote(unit)} (use us, ms, s, m or h)`}
  return checkDuration(text, Math.round(Number(number) * scale))
}

/** Refuses what is not a whole number of µs from 0 to MAX_DURATION (Infinity, NaN, too long). */
export function checkDuration(text: string, value: number): DurationParse {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_DURATION) {
    return {ok: false, error: `${quote(text)} is too long: a duration is at most ${MAX_DURATION_TEXT}`}
  }
  return {ok: true, value}
}

/** The shortest exact rendering: 2000000 → `2s`, 1500 → `1.5ms`. */
export function formatDuration(value: Micros): string {
  if (value === 0) return '0'
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const scale = UNITS.get(unit)!
    if (value >= scale && (value / scale) * 1000 === Math.round((value / scale) * 1000)) return `${value / scale}${unit}`
  }
  return `${value}us`
}
