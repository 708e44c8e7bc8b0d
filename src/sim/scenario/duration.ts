import type {Micros} from '../kernel/time.js'

const UNITS: Record<string, number> = {us: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000}

export type DurationParse = {ok: true; value: Micros} | {ok: false; error: string}

/**
 * A duration as people write it: `0`, `250us`, `5ms`, `1.5s`, `2m`, `24h`. A bare number other
 * than 0 is refused: `500` could mean anything.
 */
export function parseDuration(text: string): DurationParse {
  const trimmed = text.trim()
  if (trimmed === '0') return {ok: true, value: 0}
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(trimmed)
  if (!match) return {ok: false, error: `"${text}" is not a duration (use e.g. 500ms, 2s, 1.5s)`}
  const [, number, unit] = match
  if (unit === '') return {ok: false, error: `"${text}" has no unit (use us, ms, s, m or h)`}
  const scale = UNITS[unit.toLowerCase()]
  if (scale === undefined) return {ok: false, error: `"${text}" has an unknown unit "${unit}" (use us, ms, s, m or h)`}
  return {ok: true, value: Math.round(Number(number) * scale)}
}

/** The shortest exact rendering: 2000000 → `2s`, 1500 → `1.5ms`. */
export function formatDuration(value: Micros): string {
  if (value === 0) return '0'
  for (const [unit, scale] of [
    ['h', UNITS.h],
    ['m', UNITS.m],
    ['s', UNITS.s],
    ['ms', UNITS.ms],
  ] as const) {
    if (value >= scale && (value / scale) * 1000 === Math.round((value / scale) * 1000)) return `${value / scale}${unit}`
  }
  return `${value}us`
}
