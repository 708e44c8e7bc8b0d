import type {BatchCounts} from '../sim/check/checker.js'
import type {Violation} from '../sim/check/invariant.js'

/** Violations listed per invariant before the rest are counted in one line. */
export const VIOLATIONS_PER_INVARIANT = 5
/** Batch rows listed before the rest are summed in one row. */
export const BATCH_ROWS = 20

export type VerdictLine = {violation: Violation} | {invariant: string; more: number}

export interface VerdictSummary {
  lines: VerdictLine[]
  batches: BatchCounts[]
  /** The batches not listed, summed column by column. */
  rest?: {count: number; expected: number; assigned: number; failed: number; excess: number; ready: number}
}

/**
 * What a human verdict shows, bounded whatever the size of the run (`--batches 100` has thousands
 * of violations): per invariant its first VIOLATIONS_PER_INVARIANT violations and how many more,
 * in the order the checker found them; the first BATCH_ROWS batches and one row summing the rest.
 * `--json` lists everything.
 */
export function summariseVerdict(violations: readonly Violation[], batches: readonly BatchCounts[]): VerdictSummary {
  const byInvariant = new Map<string, Violation[]>()
  for (const violation of violations) {
    let list = byInvariant.get(violation.invariant)
    if (!list) byInvariant.set(violation.invariant, (list = []))
    list.push(violation)
  }
  const lines: VerdictLine[] = []
  for (const [invariant, list] of byInvariant) {
    for (const violation of list.slice(0, VIOLATIONS_PER_INVARIANT)) lines.push({violation})
    if (list.length > VIOLATIONS_PER_INVARIANT) lines.push({invariant, more: list.length - VIOLATIONS_PER_INVARIANT})
  }
  if (batches.length <= BATCH_ROWS) return {lines, batches: [...batches]}
  const hidden = batches.slice(BATCH_ROWS)
  const sum = (column: 'expected' | 'assigned' | 'failed' | 'excess' | 'ready'): number => hidden.reduce((total, b) => total + b[column], 0)
  return {
    lines,
    batches: batches.slice(0, BATCH_ROWS),
    rest: {count: hidden.length, expected: sum('expected'), assigned: sum('assigned'), failed: sum('failed'), excess: sum('excess'), ready: sum('ready')},
  }
}
