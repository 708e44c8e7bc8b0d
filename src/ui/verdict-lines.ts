import type {BatchCounts} from '../sim/check/checker.js'
import type {Violation} from '../sim/check/invariant.js'
import {blank, type StyledLine} from './styled-line.js'
import {summariseVerdict} from './verdict-summary.js'

export interface VerdictProps {
  verdict: 'pass' | 'fail'
  violations: readonly Violation[]
  batches: readonly BatchCounts[]
}

const COUNT_COLUMNS = ['expected', 'assigned', 'failed', 'excess', 'ready'] as const

/**
 * PASS/FAIL, one line per violation, and the per-batch counts: the heart of every run report.
 * Bounded for a large run (verdict-summary.ts): a few violations per invariant, 20 batch rows.
 */
export function verdictLines({verdict, violations, batches}: VerdictProps): StyledLine[] {
  const summary = summariseVerdict(violations, batches)
  const restLabel = summary.rest ? `+${summary.rest.count} more` : ''
  const batchWidth = Math.max(5, restLabel.length, ...summary.batches.map((b) => b.batchId.length)) + 2
  const invariantWidth = Math.max(0, ...violations.map((v) => v.invariant.length)) + 2
  const plural = violations.length === 1 ? '' : 's'
  const {rest} = summary
  return [
    verdict === 'fail' ? {text: `FAIL ${violations.length} invariant violation${plural}`, tone: 'fail'} : {text: 'PASS every invariant holds', tone: 'pass'},
    ...summary.lines.map((line): StyledLine =>
      'violation' in line
        ? {text: `  ${line.violation.invariant.padEnd(invariantWidth)}${line.violation.batchId.padEnd(batchWidth)}${line.violation.detail}`}
        : {
            text: `  ${line.invariant.padEnd(invariantWidth)}${''.padEnd(batchWidth)}… ${line.more} more ${line.invariant} violation${line.more === 1 ? '' : 's'} (--json lists every one)`,
            tone: 'dim',
          },
    ),
    blank,
    {text: 'batch'.padEnd(batchWidth) + COUNT_COLUMNS.map((column) => column.padStart(10)).join(''), tone: 'dim'},
    ...summary.batches.map((batch) => ({text: batch.batchId.padEnd(batchWidth) + COUNT_COLUMNS.map((column) => String(batch[column]).padStart(10)).join('')})),
    ...(rest
      ? [{text: restLabel.padEnd(batchWidth) + COUNT_COLUMNS.map((column) => String(rest[column]).padStart(10)).join('') + '  (their sums; --json lists every batch)', tone: 'dim' as const}]
      : []),
  ]
}
