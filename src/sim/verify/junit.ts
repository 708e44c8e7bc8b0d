import {commandForOptions} from '../simulated/reproduce.js'
import type {CellResult} from './cell-result.js'
import {formatExpectation} from './expectation-check.js'
import {outcomeChooser, type VerifyOutcome} from './verify-matrix.js'

/**
 * The matrix as JUnit XML: one <testcase> per cell (classname = scenario, name = strategy, plus
 * the block's label when it has one), with a <failure> when the cell did not match its
 * expectation. No timings: the same matrix writes the same file.
 */
export function junitXml(outcome: VerifyOutcome): string {
  const explanations = new Map(
    outcome.counterexamples.map(({result, counterexample}) => [
      result.cell.index,
      [`counterexample (${counterexample.invariant}): ${counterexample.explanation}`, `replay: ${commandForOptions(counterexample.options)}`],
    ]),
  )
  const cases = outcome.results.map((result) => testcase(result, explanations.get(result.cell.index) ?? []))
  const failures = outcome.results.filter((r) => !r.check.matched).length
  const counts = `tests="${outcome.results.length}" failures="${failures}" errors="0"`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="racelab verify" ${counts}>`,
    `  <testsuite name="racelab verify" ${counts} skipped="0">`,
    `    <properties><property name="runs" value="${outcome.runs}"/><property name="chooser" value="${escapeXml(outcomeChooser(outcome))}"/>${outcome.handler === undefined ? '' : `<property name="handler" value="${escapeXml(outcome.handler)}"/>`}${outcome.handlerCmd === undefined ? '' : `<property name="handler-cmd" value="${escapeXml(outcome.handlerCmd)}"/>`}</properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

export function testcaseName(result: CellResult): string {
  const {handler, handlerCmd} = result.cell.shape.options
  const name =
    handler !== undefined ? `${result.cell.strategy} + handler ${handler}` : handlerCmd !== undefined ? `${result.cell.strategy} + handler-cmd ${handlerCmd.command}` : result.cell.strategy
  return result.cell.label ? `${name} (${result.cell.label})` : name
}

function testcase(result: CellResult, counterexample: string[]): string {
  const {cell, tally, check} = result
  const attributes = `classname="${escapeXml(cell.scenario)}" name="${escapeXml(testcaseName(result))}"`
  const invariants = Object.entries(tally.invariants).map(([name, count]) => `${name} ×${count}`)
  const summary = [
    `seeds ${cell.seedStart}..${cell.seedStart + cell.seeds - 1}${cell.shape.args.length > 0 ? ` with ${cell.shape.args.join(' ')}` : ''}`,
    `expected ${formatExpectation(cell.expectation)}: ${check.expected}`,
    `runs ${tally.runs}, failures ${tally.failures}${invariants.length > 0 ? ` (${invariants.join(', ')})` : ''}`,
    ...(tally.firstFailure ? [`first failing seed ${tally.firstFailure.seed}: ${result.reproduce}`] : []),
  ]
  const lines = [`    <testcase ${attributes}>`]
  if (!check.matched) {
    const message = `expected ${formatExpectation(cell.expectation)}, actual: ${check.actual}`
    const body = [
      `expected: ${check.expected}`,
      `actual: ${check.actual}`,
      `first failing seed: ${tally.firstFailure?.seed ?? 'none'}`,
      ...(result.evidenceReproduce ? [`reproduce: ${result.evidenceReproduce}`] : []),
      ...counterexample,
    ]
    lines.push(`      <failure type="expectation" message="${escapeXml(message)}">${escapeXml(body.join('\n'))}</failure>`)
  }
  lines.push(`      <system-out>${escapeXml(summary.join('\n'))}</system-out>`, '    </testcase>')
  return lines.join('\n')
}

/** Escapes text for an XML attribute or element, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}
