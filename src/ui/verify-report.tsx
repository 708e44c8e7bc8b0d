import {Box, Text} from 'ink'

import {commandForOptions} from '../sim/simulated/reproduce.js'
import type {CellResult} from '../sim/verify/cell-result.js'
import {formatExpectation} from '../sim/verify/expectation-check.js'
import {outcomeChooser, type CellCounterexample, type VerifyOutcome} from '../sim/verify/verify-matrix.js'
import {Swimlane} from './swimlane.js'

export interface VerifyReportProps {
  outcome: VerifyOutcome
}

const HEADINGS = ['scenario', 'strategy', 'expected', 'runs', 'failures', 'invariants violated', 'first failing seed', 'matched'] as const
const RIGHT_ALIGNED = new Set<string>(['runs', 'failures', 'first failing seed'])

/** The static report `racelab verify` prints: the matrix table, mismatches, counterexamples, a verdict. */
export function VerifyReport({outcome}: VerifyReportProps) {
  const unmatched = outcome.results.filter((r) => !r.check.matched)
  const blocks = groupBlocks(outcome.results)
  const rows = outcome.results.map(row)
  const widths = HEADINGS.map((heading, i) => Math.max(heading.length, ...rows.map((r) => r[i].length)))
  const line = (cells: readonly string[]) =>
    cells.map((text, i) => (RIGHT_ALIGNED.has(HEADINGS[i]) ? text.padStart(widths[i]) : text.padEnd(widths[i]))).join('  ').trimEnd()
  return (
    <Box flexDirection="column">
      <Text bold>
        racelab verify: {plural(outcome.results.length, 'cell')}, {plural(outcome.runs, 'run')}, chooser {outcomeChooser(outcome)}
      </Text>
      {outcome.handlerCmd !== undefined ? (
        <Text dimColor>consumer process {outcome.handlerCmd} in place of each strategy’s ELS; no expectations declared, so every cell is expected to pass</Text>
      ) : null}
      {outcome.handler !== undefined ? (
        <Text dimColor>handler {outcome.handler} in place of each strategy’s ELS; no expectations declared, so every cell is expected to pass</Text>
      ) : null}
      {blocks.map((block) => (
        <Box key={block.results[0].cell.index} flexDirection="column">
          <Text> </Text>
          <Text dimColor>{blockTitle(block.results[0])}</Text>
          <Text dimColor>{line(HEADINGS)}</Text>
          {block.results.map((result) => (
            <Text key={result.cell.index} color={result.check.matched ? undefined : 'red'}>
              {line(rows[result.cell.index])}
            </Text>
          ))}
          {/* The table has room for the outcome only; a declared expectation's reason goes below it. */}
          {block.results
            .filter((result) => result.cell.expectation.because !== undefined)
            .map((result) => (
              <Text key={`because-${result.cell.index}`} dimColor>
                {'  '}
                {cellName(result)} expects {formatExpectation(result.cell.expectation)}
              </Text>
            ))}
        </Box>
      ))}
      {unmatched.length > 0 ? <Text> </Text> : null}
      {unmatched.map((result) => (
        <Box key={result.cell.index} flexDirection="column">
          <Text color="red">
            MISMATCH {cellName(result)}: expected {result.check.expected}; actual: {result.check.actual}
          </Text>
          {result.evidenceReproduce ? <Text dimColor>{'  '}reproduce: {result.evidenceReproduce}</Text> : null}
        </Box>
      ))}
      {outcome.counterexamples.map((entry) => (
        <CounterexampleSection key={entry.result.cell.index} entry={entry} />
      ))}
      <Text> </Text>
      {outcome.verdict === 'pass' ? (
        <Text color="green" bold>
          PASS every cell matched its expectation ({plural(outcome.results.length, 'cell')}, {plural(outcome.runs, 'run')})
        </Text>
      ) : (
        <Text color="red" bold>
          FAIL {unmatched.length} of {plural(outcome.results.length, 'cell')} did not match {outcome.results.length === 1 ? 'its' : 'their'} expectation
        </Text>
      )}
    </Box>
  )
}

function CounterexampleSection({entry}: {entry: CellCounterexample}) {
  const {result, counterexample} = entry
  const kind = result.check.matched ? 'expected failure' : 'UNEXPECTED failure'
  return (
    <Box flexDirection="column">
      <Text> </Text>
      <Text bold color={result.check.matched ? undefined : 'red'}>
        {cellName(result)}: {kind}, first failing seed {result.tally.firstFailure?.seed} ({result.reproduce})
      </Text>
      <Swimlane counterexample={counterexample} reproduce={commandForOptions(counterexample.options)} />
    </Box>
  )
}

function row(result: CellResult): string[] {
  const {cell, tally, check} = result
  const invariants = Object.entries(tally.invariants).map(([name, count]) => `${name}×${count}`)
  return [
    cell.scenario,
    cell.strategy,
    cell.expectation.outcome,
    String(tally.runs),
    String(tally.failures),
    invariants.length > 0 ? invariants.join(' ') : '-',
    tally.firstFailure ? String(tally.firstFailure.seed) : '-',
    check.matched ? 'yes' : 'NO',
  ]
}

function cellName(result: CellResult): string {
  const {cell} = result
  return `${cell.scenario} × ${cell.strategy}${cell.label ? ` (${cell.label})` : ''}`
}

/** Consecutive cells with the same seeds and shape form one table block. */
function groupBlocks(results: readonly CellResult[]): {results: CellResult[]}[] {
  const blocks: {key: string; results: CellResult[]}[] = []
  for (const result of results) {
    const {cell} = result
    const key = JSON.stringify([cell.label, cell.seedStart, cell.seeds, cell.shape.args])
    if (blocks.length > 0 && blocks[blocks.length - 1].key === key) blocks[blocks.length - 1].results.push(result)
    else blocks.push({key, results: [result]})
  }
  return blocks
}

function blockTitle(first: CellResult): string {
  const {cell} = first
  const seeds = `seeds ${cell.seedStart}..${cell.seedStart + cell.seeds - 1}`
  const shape = cell.shape.args.length > 0 ? ` with ${cell.shape.args.join(' ')}` : ''
  return `${cell.label ? `${cell.label}: ` : ''}${seeds}${shape}`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
