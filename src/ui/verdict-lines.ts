import type {BatchCounts} from '../sim/check/checker.js'
import type {Violation} from '../sim/check/invariant.js'
import {blank, type StyledLine} from './styled-line.js'

export interface VerdictProps {
  verdict: 'pass' | 'fail'
  violations: readonly Violation[]
  batches: readonly BatchCounts[]
}

const COUNT_COLUMNS = ['expected', 'assigned', 'failed', 'excess', 'ready'] as const

/** PASS/FAIL, one line per violation, and the per-batch counts: the heart of every run report. */
export function verdictLines({verdict, violations, batches}: VerdictProps): StyledLine[] {
  const batchWidth = Math.max(5, ...batches.map((b) => b.batchId.length)) + 2
  const invariantWidth = Math.max(0, ...violations.map((v) => v.invariant.length)) + 2
  const plural = violations.length === 1 ? '' : 's'
  return [
    verdict === 'fail' ? {text: `FAIL ${violations.length} invariant violation${plural}`, tone: 'fail'} : {text: 'PASS every invariant holds', tone: 'pass'},
    ...violations.map((v) => ({text: `  ${v.invariant.padEnd(invariantWidth)}${v.batchId.padEnd(batchWidth)}${v.detail}`})),
    blank,
    {text: 'batch'.padEnd(batchWidth) + COUNT_COLUMNS.map((column) => column.padStart(10)).join(''), tone: 'dim'},
    ...batches.map((batch) => ({text: batch.batchId.padEnd(batchWidth) + COUNT_COLUMNS.map((column) => String(batch[column]).padStart(10)).join('')})),
  ]
}
