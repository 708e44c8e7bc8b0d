/** Virtual time in integer microseconds: integers keep every sum exact and every trace byte-stable. */
export type Micros = number

export const MS = 1000
export const SECOND = 1_000_000

export const ms = (n: number): Micros => Math.round(n * MS)
export const seconds = (n: number): Micros => Math.round(n * SECOND)

/** Fixed epoch for envelope timestamps, so traces never depend on the wall clock. */
const EPOCH_MS = Date.UTC(2026, 0, 1)

export function isoAt(t: Micros): string {
  return new Date(EPOCH_MS + Math.floor(t / MS)).toISOString()
}

/** The virtual time an envelope timestamp (`isoAt`) stands for, to the millisecond it keeps. */
export function microsAt(iso: string): Micros {
  return (Date.parse(iso) - EPOCH_MS) * MS
}

/** `1.234s` for timelines: fixed width so columns line up. */
export function formatSeconds(t: Micros): string {
  return `${(t / SECOND).toFixed(3)}s`
}
