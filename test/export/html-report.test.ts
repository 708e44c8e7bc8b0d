import {describe, expect, it} from 'vitest'

import {batchesFromTrace, htmlReport} from '../../src/export/html-report.js'
import {REPORT_HEAD} from '../../src/export/report-head.js'
import {swimlaneSvg} from '../../src/export/swimlane-svg.js'
import {explainViolation} from '../../src/sim/search/explain.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {simulate} from './run-for-export.js'

function judgedReport(scenario: string, strategy: 'naive' | 'buffer') {
  const run = simulate(scenario, strategy)
  const explanations = Object.fromEntries(run.result.violations.map((v) => [v.invariant, explainViolation(run, v.invariant)]))
  return {run, html: htmlReport({trace: run.trace, title: `${scenario} ${strategy}`, judged: {result: run.result, explanations, reproduce: 'racelab run --x'}})}
}

describe('htmlReport', () => {
  it('is one page that fetches nothing: no script, no external reference, a policy forbidding every load', () => {
    // When
    const {html} = judgedReport('content-first', 'naive')

    // Then
    expect(html.startsWith(REPORT_HEAD)).toBe(true)
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i)
    expect(html).not.toMatch(/(src|href)=/i)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`)
  })

  it('has the swimlane, the batch outcome, every invariant with the explanation of each violation, the parameters and the reproduce command', () => {
    // Given
    const {run, html} = judgedReport('content-first', 'naive')

    // Then
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="swimlane"')
    for (const lane of ['bos', 'file', 'bos-relay', 'file-relay', 'els', 'els-relay']) expect(html).toContain(`data-lane="${lane}"`)
    expect(html.match(/<g class="message harmful">/g)).toHaveLength(2)
    expect(html.match(/<g class="message">/g)).toHaveLength(1)
    expect(html).toContain('<td>b1</td><td>2</td><td>0</td><td>0</td><td>2</td><td>0</td>')
    expect(html).toContain('<code>ready-exactly-once</code></td><td>violated</td>')
    expect(html).toContain('<code>liveness</code></td><td>holds</td>')
    expect(html).toContain(explainViolation(run, 'no-false-excess').replace(/"/g, '&quot;'))
    expect(html).toContain('<th>bos-relay publish delay</th><td>2s</td>')
    expect(html).toContain('<code>racelab run --x</code>')
  })

  it('shades every fault on its lane, and hover text names each event', () => {
    // Given
    const run = simulate('large-batch', 'buffer', {faults: ['consumer-crash-before-commit@30%'], seed: 3})
    const crashes = run.trace.filter((e) => e.ev === 'els-crashed').length
    expect(crashes).toBeGreaterThan(0)

    // When
    const {svg} = swimlaneSvg(run.trace)

    // Then
    expect(svg.match(/<rect class="fault-band"/g)!.length).toBeGreaterThanOrEqual(crashes)
    expect(svg.match(/<g class="event /g)).toHaveLength(run.trace.length)
    expect(svg.match(/<title>/g)!.length).toBeGreaterThan(run.trace.length)
    expect(svg).toContain('<g class="message again">')
  })

  it('escapes every string that came from the trace', () => {
    // Given: a hand-made trace with markup in every string field
    const evil = '<script>alert("x")</script>&'
    const trace = [
      {t: 0, svc: 'bos', ev: 'batch-registered', batch: evil, essays: 2, row: 1},
      {t: 5, svc: evil, ev: 'upload-refused', batch: evil, file: evil, reason: evil},
    ] as TraceEvent[]

    // When
    const html = htmlReport({trace, title: evil})

    // Then
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('alert("x")')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;')
  })

  it('counts each batch from a trace alone as the checker does', () => {
    for (const [scenario, strategy] of [['content-first', 'naive'], ['validation-failure', 'buffer'], ['true-excess', 'buffer'], ['partial', 'buffer']] as const) {
      const run = simulate(scenario, strategy)
      expect(batchesFromTrace(run.trace), `${scenario} ${strategy}`).toEqual(run.result.batches)
    }
  })
})
