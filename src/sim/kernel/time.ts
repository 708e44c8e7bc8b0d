/** Virtual time in integer microseconds: integers keep every sum exact and every trace byte-stable. */
export type Micros = number

export const MS = 1000
export const SECOND = 1_000_000

export const ms = (n: number): Micros => Math.round(n * MS)
export const seconds = (n: number): Micros => Math.round(n * SECOND)

/** Fixed epoch for envelope timestamps, so traces never depend on the wall clock. */
const EPOCH_MS = Date.UTC(2026, 0, 1)

const DAY_MS = 86_400_000
/** The date part (`2026-01-01T`) of the last day asked for: every envelope of a run falls on a few days. */
let cachedDay = Number.NaN
let cachedDate = ''

/** `new Date(...).toISOString()` of the instant, without a Date per envelope (the date part is kept per day). */
export function isoAt(t: Micros): string {
  const at = EPOCH_MS + Math.floor(t / MS)
  const day = Math.floor(at / DAY_MS)
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString()
    cachedDate = iso.slice(0, iso.indexOf('T') + 1)
    cachedDay = day
  }
  let rest = at - day * DAY_MS
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const secs = Math.floor(rest / 1000)
  const millis = rest - secs * 1000
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(secs)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** The virtual time an envelope timestamp (`isoAt`) stands for, to the millisecond it keeps. */
export function microsAt(iso: string): Micros {
  return (Date.parse(iso) - EPOCH_MS) * MS
}

/** `1.234s` for timelines: fixed width so columns line up. */
export function formatSeconds(t: Micros): string {
  return `${(t / SECOND).toFixed(3)}s`
}
