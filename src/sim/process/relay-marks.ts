import type {Micros} from '../kernel/time.js'

/** A row not published for good: never sent, or sent and then lost to a crash before published_at. */
const NOT_MARKED = -1

/**
 * When each row one relay sent was published for good (`TraceFold#markTimes`). Arrays indexed by
 * row id, one per source service, not a map keyed by row: a large run's relays send 520,000 rows,
 * and a map's entry costs about four array slots (docs/benchmarks.md).
 */
export class RelayMarks {
  /** Per source (bos, file, els): each row's first send time, NOT_MARKED (or a hole) where it has none. */
  private readonly marked: Micros[][] = [[], [], []]
  /** Per row id, the source of the row of that id sent last: a coordinated relay sends rows of two services, whose ids overlap. */
  private readonly lastSource: number[] = []

  /** A row was sent: it is published for good from this send on, unless it was already. */
  sent(row: number, source: number, at: Micros): void {
    this.lastSource[row] = source
    const times = this.marked[source]
    if (!(times[row] >= 0)) times[row] = at
  }

  /** The relay crashed after the broker acked `row` and before published_at: the row of that id it sent last is sent again. */
  lost(row: number): void {
    const source = this.lastSource[row]
    if (source !== undefined) this.marked[source][row] = NOT_MARKED
  }

  /** Every row's time published for good, sorted. */
  times(): Micros[] {
    const times: Micros[] = []
    for (const bySource of this.marked) for (const at of bySource) if (at >= 0) times.push(at)
    return times.sort((a, b) => a - b)
  }
}
