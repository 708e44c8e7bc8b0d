import {OUTBOX_ROW_HEADER} from '../services/relay.js'

/** What a topic's messages say about the outbox rows they were published from. */
export interface WireTally {
  /** Messages read (each offset once). */
  messages: number
  /** Committed rows that reached the wire at least once. */
  rowsSeen: number
  /** Messages beyond the first of their row: relay re-sends (at-least-once). */
  duplicates: number
  /** Committed rows that never reached the wire. */
  missing: number
  /** Messages naming no committed row (another writer, or a corrupt header). */
  foreign: number
  /** The most copies of one row. */
  maxCopies: number
  /**
   * Offsets the broker no longer held when the counter got there (retention: librdkafka's mock
   * cluster keeps about 5 MB per partition), so what they carried is unknown.
   */
  unread: number
}

/** A message as the counter reads it: where it sits, and its headers. */
export interface CountedMessage {
  topic: string
  partition: number
  offset: number
  headers: Readonly<Record<string, string>>
}

/**
 * Counts a wire against the outboxes it came from. Each message's `outbox_row` header
 * (`service:rowId`) names its row; a fresh outbox numbers its rows 1..n (SQLite autoincrement),
 * so `tally(rows)` can tell every committed row's copies. `capacity` bounds the row ids counted.
 */
export class WireCounter {
  private readonly copies = new Map<string, Uint16Array>()
  private messages = 0
  private unnamed = 0
  private unread = 0
  /** Per `topic/partition`: the next offset the counter expects. */
  private readonly next = new Map<string, number>()

  constructor(services: readonly string[], capacity: number) {
    for (const service of services) this.copies.set(service, new Uint16Array(capacity + 1))
  }

  /**
   * Counts a message once: one read again (a consumer that rejoined before its commit) is skipped,
   * and offsets jumped over were dropped by the broker before they could be read.
   */
  add(message: CountedMessage): void {
    const where = `${message.topic}/${message.partition}`
    const expected = this.next.get(where) ?? 0
    if (message.offset < expected) return
    this.unread += message.offset - expected
    this.next.set(where, message.offset + 1)
    this.messages++
    const [service, id] = (message.headers[OUTBOX_ROW_HEADER] ?? '').split(':')
    const copies = this.copies.get(service)
    const row = Number(id)
    if (copies === undefined || !Number.isSafeInteger(row) || row < 1 || row >= copies.length || String(row) !== id) {
      this.unnamed++
      return
    }
    if (copies[row] < 0xffff) copies[row]++
  }

  get read(): number {
    return this.messages
  }

  /** Whether every partition was read up to its end (`topic/partition` -> high watermark). */
  reached(ends: ReadonlyMap<string, number>): boolean {
    for (const [where, high] of ends) if ((this.next.get(where) ?? 0) < high) return false
    return true
  }

  /** The wire against `rows` committed rows per service (ids 1..n). */
  tally(rows: Readonly<Record<string, number>>): WireTally {
    let rowsSeen = 0
    let maxCopies = 0
    let expected = 0
    let beyond = 0
    for (const [service, copies] of this.copies) {
      const n = Math.min(rows[service] ?? 0, copies.length - 1)
      expected += rows[service] ?? 0
      for (let row = 1; row < copies.length; row++) {
        if (row > n) {
          beyond += copies[row]
          continue
        }
        if (copies[row] > 0) rowsSeen++
        maxCopies = Math.max(maxCopies, copies[row])
      }
    }
    const foreign = this.unnamed + beyond
    return {messages: this.messages, rowsSeen, duplicates: this.messages - foreign - rowsSeen, missing: expected - rowsSeen, foreign, maxCopies, unread: this.unread}
  }
}
