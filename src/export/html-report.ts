import type {BatchCounts} from '../sim/check/checker.js'
import {INVARIANTS, type InvariantName} from '../sim/check/invariant.js'
import {TOPICS} from '../sim/domain/topics.js'
import type {RunParameters} from '../sim/scenario/run-parameters.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import type {JudgedRun} from '../sim/process/judged-run.js'
import {formatParameters} from '../ui/parameters-line.js'
import {escapeHtml as esc} from './html-escape.js'
import {REPORT_HEAD} from './report-head.js'
import {swimlaneSvg} from './swimlane-svg.js'
import {inevitabilitySvg} from './inevitability-svg.js'
import type {InevitabilityCurve} from '../sim/search/inevitability.js'
import {inevitabilitySummary} from '../ui/inevitability-lines.js'
import {digitGroups} from '../sim/digit-groups.js'


/** What a report shows: a trace, and when the run was judged, its verdict and how to rerun it. */
export interface ReportInput {
  trace: readonly TraceEvent[]
  /** What the trace came from, for the heading (`content-first under naive, seed 1`, a file name). */
  title: string
  judged?: {
    result: JudgedRun
    /** One sentence per violated invariant (src/sim/search/explain.ts). */
    explanations: Partial<Record<InvariantName, string>>
    reproduce: string
  }
  /** `report --inevitability`: the run's inevitability curve (src/sim/search/inevitability.ts). */
  inevitability?: InevitabilityCurve
}

/**
 * One self-contained HTML page about a run: no script, no network (a Content-Security-Policy
 * forbids every fetch), the CSS and the SVG inline. It holds the swimlane, the per-batch outcome,
 * every invariant's verdict with the explanation of each violation, the parameters the seed drew
 * and the reproduce command. Every string from the run is escaped.
 */
export function htmlReport(input: ReportInput): string {
  const {trace, judged} = input
  const lane = swimlaneSvg(trace)
  const verdict = judged ? judged.result.verdict : undefined
  const sections = [
    `<header><h1>${esc(input.title)}</h1>` +
      (verdict === undefined
        ? '<p class="verdict unjudged">not judged: a trace alone carries no verdict; rerun the run’s flags with <code>racelab report</code> for one</p>'
        : `<p class="verdict ${verdict}">${verdict === 'pass' ? 'PASS: every invariant holds' : `FAIL: ${judged!.result.violations.length} invariant violation${judged!.result.violations.length === 1 ? '' : 's'}`}</p>`) +
      (judged && judged.result.violations.length > 0 ? `<p class="why">${esc(judged.explanations[judged.result.violations[0].invariant] ?? judged.result.violations[0].detail)}</p>` : '') +
      '</header>',
    judged ? `<section id="reproduce"><h2>Reproduce</h2><pre><code>${esc(judged.reproduce)}</code></pre></section>` : '',
    `<section id="timeline"><h2>Timeline</h2>` +
      `<p class="legend"><span class="key msg"></span>message, publish to handling <span class="key again"></span>handled again <span class="key harm"></span>harmful reordering: ELS handled input before its batch’s registration <span class="key row"></span>outbox row, commit to publish <span class="key fault"></span>fault, until it healed. Hover over anything for its details.</p>` +
      (lane.drawn < lane.total ? `<p class="note">The first ${digitGroups(lane.drawn)} of ${digitGroups(lane.total)} events are drawn.</p>` : '') +
      `<div class="scroll">${lane.svg}</div></section>`,
    `<section id="batches"><h2>Batches</h2>${batchTable(judged ? judged.result.batches : batchesFromTrace(trace), judged !== undefined)}</section>`,
    input.inevitability
      ? `<section id="inevitability"><h2>Inevitability</h2><p>Each dot: the run replayed up to one of its choices, the rest drawn at random, ${input.inevitability.trials} times; the share that failed, at the virtual time of the first choice left to chance.</p>` +
        `<p class="why">${esc(inevitabilitySummary(input.inevitability))}</p><div class="scroll">${inevitabilitySvg(input.inevitability)}</div></section>`
      : '',
    judged ? `<section id="invariants"><h2>Invariants</h2>${invariantTable(judged.result, judged.explanations)}</section>` : '',
    judged ? `<section id="parameters"><h2>Parameters the seed drew</h2>${parameterTable(judged.result.parameters)}<pre><code>${esc(formatParameters(judged.result.parameters))}</code></pre></section>` : '',
  ]
  return `${REPORT_HEAD}
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="racelab report">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
${sections.filter((s) => s !== '').join('\n')}
<footer>Written by racelab: the same run writes the same page. Self-contained: no script, nothing fetched.</footer>
</body>
</html>
`
}

function batchTable(batches: readonly BatchCounts[], judged: boolean): string {
  const head = ['batch', 'expected', 'assigned', 'failed', 'excess', 'ready']
  const rows = batches.map((b) => {
    const bad = b.ready !== 1 && b.assigned + b.failed < b.expected
    return `<tr class="${bad || b.ready > 1 ? 'bad' : 'good'}"><td>${esc(b.batchId)}</td><td>${b.expected}</td><td>${b.assigned}</td><td>${b.failed}</td><td>${b.excess}</td><td>${b.ready}</td></tr>`
  })
  const note = judged ? '' : '<p class="note">Counted from the trace: what ELS did with each batch.</p>'
  return `${note}<table class="batches"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function invariantTable(result: JudgedRun, explanations: Partial<Record<InvariantName, string>>): string {
  const rows = INVARIANTS.map((name) => {
    const violations = result.violations.filter((v) => v.invariant === name)
    if (violations.length === 0) return `<tr class="good"><td><code>${esc(name)}</code></td><td>holds</td><td></td></tr>`
    const details = violations.map((v) => `<li><b>${esc(v.batchId)}</b>: ${esc(v.detail)}</li>`).join('')
    const why = explanations[name] === undefined ? '' : `<p class="why">${esc(explanations[name]!)}</p>`
    return `<tr class="bad"><td><code>${esc(name)}</code></td><td>violated</td><td><ul>${details}</ul>${why}</td></tr>`
  })
  return `<table class="verdicts"><thead><tr><th>invariant</th><th>verdict</th><th>what broke, and why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function parameterTable(p: RunParameters): string {
  const rows: [string, string][] = [
    ...(['bos', 'file', 'els'] as const).flatMap((svc): [string, string][] => [
      [`${svc}-relay publish delay`, p.relays[svc].publishDelay],
      [`${svc}-relay idle poll`, p.relays[svc].pollInterval],
      [`${svc} wakes its relay`, p.relays[svc].wake ? 'on' : 'off'],
    ]),
    ['broker latency', p.kafkaLatency],
    ['ELS handling', p.elsHandling],
    ['file processing', p.fileProcessing],
    ['upload gap', p.uploadGap],
    ['batch gap', p.batchGap],
    ['pending timeout', p.pendingTimeout],
    ['partitions', String(p.partitions)],
  ]
  return `<table class="params"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`
}

/** Each batch as the trace tells it: what BOS registered and what ELS did with its inputs. */
export function batchesFromTrace(trace: readonly TraceEvent[]): BatchCounts[] {
  const batches = new Map<string, BatchCounts>()
  const of = (batchId: string): BatchCounts => {
    let b = batches.get(batchId)
    if (b === undefined) batches.set(batchId, (b = {batchId, expected: 0, assigned: 0, failed: 0, excess: 0, ready: 0}))
    return b
  }
  for (const event of trace) {
    if (event.ev === 'batch-registered') of(event.batch).expected = event.essays
    if (event.ev !== 'handled' || !('batchId' in event.outcome)) continue
    const b = of(event.outcome.batchId)
    if (event.outcome.kind === 'assigned') b.assigned++
    if (event.outcome.kind === 'failure-counted') b.failed++
    b.excess += event.emitted.filter((t) => t === TOPICS.excessContentProvisioned).length
    b.ready += event.emitted.filter((t) => t === TOPICS.batchEssaysReady).length
    if (event.outcome.kind === 'registered') {
      // A drain reconciles buffered events inside the registration: what it did not assign or
      // report as excess were buffered validation failures, now counted.
      const assigned = event.emitted.filter((t) => t === TOPICS.essaySlotAssigned).length
      const excess = event.emitted.filter((t) => t === TOPICS.excessContentProvisioned).length
      b.assigned += assigned
      b.failed += Math.max(0, event.outcome.drained - assigned - excess)
    }
  }
  return [...batches.values()]
}

const CSS = `
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--lane:#f6f8fa;--good:#1a7f37;--bad:#cf222e;--msg:#0969da;--fault:#bc4c00}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:var(--lane);border:1px solid var(--line);border-radius:6px;padding:8px 12px;white-space:pre-wrap;word-break:break-all}
.verdict{display:inline-block;font-weight:600;padding:3px 10px;border-radius:12px;margin:4px 0}
.verdict.pass{background:#dafbe1;color:var(--good)}.verdict.fail{background:#ffebe9;color:var(--bad)}.verdict.unjudged{background:var(--lane);color:var(--muted)}
.why{max-width:980px}.note,.legend{color:var(--muted)}
.key{display:inline-block;width:22px;height:0;border-top:2px solid var(--msg);vertical-align:middle;margin:0 4px 0 12px}
.key.again{border-top-style:dashed}.key.harm{border-top:3px solid var(--bad)}.key.row{border-top:2px dotted var(--muted)}
.key.fault{height:10px;border:0;background:rgba(188,76,0,.22)}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;margin:4px 0}th,td{border:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
thead th{background:var(--lane)}table.verdicts tr.bad td:nth-child(2){color:var(--bad);font-weight:600}table.verdicts tr.good td:nth-child(2){color:var(--good)}
table.batches tr.bad td{background:#fff5f5}
table.params th{font-weight:normal;color:var(--muted)}
ul{margin:0;padding-left:18px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
svg.swimlane{display:block;font:11px system-ui,sans-serif}
.lane-bg{fill:#fff}.lane-bg.odd{fill:var(--lane)}.lane-name{font-weight:600;fill:var(--fg)}
.tick{fill:var(--muted);text-anchor:middle;font-size:10px}
.event circle{fill:#fff;stroke:var(--fg);stroke-width:1.5}.event text{text-anchor:middle;fill:var(--muted);font-size:10px}
.event.published circle{stroke:var(--msg)}.event.handled circle{fill:#ddf4ff;stroke:var(--msg)}
.event.harmful circle{fill:var(--bad);stroke:var(--bad);stroke-width:3}.event.harmful text{fill:var(--bad);font-weight:600}
.event.fault rect{fill:var(--fault)}.event.fault text{fill:var(--fault)}
.fault-band{fill:rgba(188,76,0,.16)}
.message line{stroke:var(--msg);stroke-width:1.4;fill:none}.message.again line{stroke-dasharray:5 3}
.message.harmful line{stroke:var(--bad);stroke-width:3}
.arrowhead{fill:var(--msg)}.arrowhead.harm{fill:var(--bad)}
.gap line{stroke:var(--muted);stroke-dasharray:4 4}.gap text{fill:var(--muted);text-anchor:middle;font-size:10px}
.outbox-row{stroke:var(--muted);stroke-width:1;stroke-dasharray:1 3}
.event:hover circle,.message:hover line{stroke-width:3}
`
