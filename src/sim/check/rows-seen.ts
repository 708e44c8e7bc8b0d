/** Rows up to this id are bits in a bitmap (at most 2 MiB a service); a larger id (a producer of the user's own) is a string in a set. */
const MAX_BITMAP_ROW = 2 ** 24

/**
 * The outbox rows a check met already, by `outbox_row` header (`service:id`). racelab's own
 * headers are bits, one bitmap per service; any other header is kept whole. A set of a large
 * run's 520,000 headers was 20 MiB, and as much again while it grew (docs/benchmarks.md).
 */
export class RowsSeen {
  private readonly bits = new Map<string, Uint8Array>()
  private readonly others = new Set<string>()

  /** True the first time `header` (service `service`, row `row`, as read from it) is met. */
  first(header: string, service: string, row: number): boolean {
    // Only the canonical spelling is a bit: 'file:07' and 'file:7' are two headers, as in a set.
    if (Number.isInteger(row) && row >= 0 && row <= MAX_BITMAP_ROW && header === `${service}:${row}`) return this.firstBit(service, row)
    if (this.others.has(header)) return false
    this.others.add(header)
    return true
  }

  private firstBit(service: string, row: number): boolean {
    const byte = row >> 3
    let bits = this.bits.get(service)
    if (bits === undefined || byte >= bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, (bits?.length ?? 0) * 2, 64))
      if (bits) grown.set(bits)
      this.bits.set(service, (bits = grown))
    }
    const mask = 1 << (row & 7)
    if ((bits[byte] & mask) !== 0) return false
    bits[byte] |= mask
    return true
  }
}
