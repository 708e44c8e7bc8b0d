import {join} from 'node:path'

import {writeFileSafely, writeTarget} from '../sim/files/safe-write.js'
import {commandForOptions} from '../sim/simulated/reproduce.js'
import {explainViolation} from '../sim/search/explain.js'
import type {VerifyOutcome} from '../sim/verify/verify-matrix.js'
import {escapeHtml as esc} from './html-escape.js'
import {htmlReport} from './html-report.js'
import {REPORT_HEAD} from './report-head.js'
import {traceText} from './trace-format.js'
import {ownTraceFile, type TraceFormat} from './trace-formats.js'
import {writeTraceDirectory} from './trace-directory.js'
import {digitGroups} from '../sim/digit-groups.js'

/**
 * `verify --report DIR`: one HTML report per shrunk counterexample (`counterexample-N.html`, the
 * reduced run replayed) with its trace as a Mermaid diagram to paste into a pull request
 * (`counterexample-N.mmd`) and as a Chrome trace for Perfetto (`counterexample-N.trace.json`), and
 * an `index.html` listing every cell of the matrix with its outcome and links to its counterexample. Each file follows the rule for the files racelab writes: a report
 * racelab wrote is replaced, anything else at that path is refused. Returns the files written.
 */
export function writeVerifyReports(dir: string, outcome: VerifyOutcome): string[] {
  const written: string[] = []
  const write = (name: string, text: string, ours: (head: string) => boolean = (head) => head.startsWith(REPORT_HEAD)): void => {
    writeFileSafely(writeTarget('--report', join(dir, name), {ours}), text)
    written.push(name)
  }
  const pageOf = new Map<number, string>()
  outcome.counterexamples.forEach(({result, counterexample}, i) => {
    const name = `counterexample-${i + 1}.html`
    pageOf.set(result.cell.index, name)
    const {run} = counterexample
    const explanations = Object.fromEntries(
      [...new Set(run.result.violations.map((v) => v.invariant))].map((inv) => [inv, inv === counterexample.invariant ? counterexample.explanation : explainViolation(run, inv)]),
    )
    const title = `racelab verify: counterexample ${i + 1}, ${result.cell.label ?? `${result.cell.scenario} under ${result.cell.strategy}`} (${counterexample.invariant}, shrunk)`
    const reproduce = commandForOptions(counterexample.options)
    write(name, htmlReport({trace: run.trace, title, judged: {result: run.result, explanations, reproduce}}))
    const subject = {scenario: run.result.scenario, strategy: run.result.strategy, seed: run.result.seed, reproduce}
    write(`counterexample-${i + 1}.mmd`, traceText('mermaid', run.trace, subject), ownTraceFile)
    write(`counterexample-${i + 1}.trace.json`, traceText('chrome', run.trace, subject), ownTraceFile)
  })
  const rows = outcome.results.map((r) => {
    const page = pageOf.get(r.cell.index)
    const invariants = Object.entries(r.tally.invariants).map(([name, seeds]) => `${name} (${seeds})`).join(', ')
    return (
      `<tr class="${r.check.matched ? 'good' : 'bad'}"><td>${esc(r.cell.label ?? r.cell.scenario)}</td><td>${esc(r.cell.strategy)}</td>` +
      `<td>${r.tally.failures} of ${r.tally.runs}</td><td>${esc(invariants)}</td><td>${esc(r.check.expected)}</td><td>${r.check.matched ? 'matched' : 'MISMATCH'}</td>` +
      `<td>${page === undefined ? '' : [page, page.replace(/\.html$/, '.mmd'), page.replace(/\.html$/, '.trace.json')].map((f) => `<a href="${esc(f)}">${esc(f)}</a>`).join(' ')}</td></tr>`
    )
  })
  write(
    'index.html',
    `${REPORT_HEAD}
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="racelab verify --report">
<title>racelab verify</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#1f2328;margin:0;padding:24px 32px}h1{font-size:22px}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}thead th{background:#f6f8fa}
tr.bad td:nth-child(6){color:#cf222e;font-weight:600}tr.good td:nth-child(6){color:#1a7f37}
.verdict{display:inline-block;font-weight:600;padding:3px 10px;border-radius:12px}.pass{background:#dafbe1;color:#1a7f37}.fail{background:#ffebe9;color:#cf222e}
</style>
</head>
<body>
<h1>racelab verify: ${outcome.results.length} cells, ${digitGroups(outcome.runs)} runs</h1>
<p class="verdict ${outcome.verdict}">${outcome.verdict === 'pass' ? 'PASS: every cell matched what its scenario declares' : 'FAIL: a cell did not match what its scenario declares'}</p>
<table><thead><tr><th>scenario</th><th>strategy</th><th>failing seeds</th><th>invariants violated (seeds)</th><th>expected</th><th>outcome</th><th>counterexample</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body>
</html>
`,
  )
  return written
}

/**
 * `verify --trace DIR`: each shrunk counterexample's trace as `counterexample-N` in `format`,
 * numbered as `--report` numbers its pages. Returns the files written.
 */
export function writeCounterexampleTraces(dir: string, format: TraceFormat, outcome: VerifyOutcome): string[] {
  const traces = outcome.counterexamples.map(({counterexample}, i) => {
    const {run, options} = counterexample
    return {
      name: `counterexample-${i + 1}`,
      trace: run.trace,
      subject: {scenario: run.result.scenario, strategy: run.result.strategy, seed: run.result.seed, reproduce: commandForOptions(options)},
    }
  })
  return writeTraceDirectory('--trace', dir, format, traces)
}
