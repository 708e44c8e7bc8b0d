import {compareStrings} from '../code-unit-order.js'

/**
 * Which batch registered each essay id: the last batch to, in the order the registrations are
 * given. Sorted arrays searched by halves, not a map: a large run registers 250,000 essays, and a
 * map of them, with its copies as it grew, was 28 MiB the judge allocated and V8 did not collect
 * before the judge ended (docs/benchmarks.md).
 */
export class SlotOwners {
  private readonly essays: string[] = []
  private readonly batches: string[] = []

  constructor(registrations: Iterable<readonly [batchId: string, essayIds: readonly string[]]>) {
    const essays: string[] = []
    const batches: string[] = []
    for (const [batchId, ids] of registrations) {
      for (const essay of ids) {
        essays.push(essay)
        batches.push(batchId)
      }
    }
    // By essay id, and among one id's registrations the last given last.
    const order = Uint32Array.from(essays, (_, i) => i).sort((a, b) => compareStrings(essays[a], essays[b]) || a - b)
    for (let i = 0; i < order.length; i++) {
      const at = order[i]
      if (i + 1 < order.length && essays[order[i + 1]] === essays[at]) continue
      this.essays.push(essays[at])
      this.batches.push(batches[at])
    }
  }

  /** The batch that owns `essayId`'s slot; undefined when no batch registered it. */
  get(essayId: string): string | undefined {
    let low = 0
    let high = this.essays.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const order = compareStrings(this.essays[middle], essayId)
      if (order === 0) return this.batches[middle]
      if (order < 0) low = middle + 1
      else high = middle - 1
    }
    return undefined
  }
}
