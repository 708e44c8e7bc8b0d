import {describe, expect, it} from 'vitest'

import {parseDelaySpec} from '../../../src/sim/scenario/delay-spec.js'
import {escapeXml, junitXml} from '../../../src/sim/verify/junit.js'
import type {ShapeSpec} from '../../../src/sim/scenario/shape-spec.js'
import {buildCells} from '../../../src/sim/verify/matrix.js'
import {verifyMatrix, type VerifyOutcome} from '../../../src/sim/verify/verify-matrix.js'

/**
 * A small well-formedness check: one root, every tag closed in order, attributes quoted, no raw
 * `<` or stray `&` in text or attribute values. Returns the element names in document order.
 */
function parseXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '')
  const names: string[] = []
  const open: string[] = []
  let roots = 0
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy
  let match: RegExpExecArray | null
  let consumed = 0
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex
    const [, closing, name, attributes, selfClosing, text] = match
    const checked = text ?? attributes ?? ''
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(checked)) throw new Error(`unescaped & in ${JSON.stringify(checked)}`)
    if (text !== undefined) {
      if (open.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`)
      continue
    }
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes the wrong element`)
      continue
    }
    if (open.length === 0 && ++roots > 1) throw new Error('more than one root element')
    names.push(name)
    if (!selfClosing) open.push(name)
  }
  if (consumed !== body.length) throw new Error(`not XML at offset ${consumed}: ${body.slice(consumed, consumed + 40)}`)
  if (open.length > 0) throw new Error(`unclosed <${open.join('>, <')}>`)
  return names
}

async function outcome(shape: ShapeSpec, label?: string): Promise<VerifyOutcome> {
  const delays = (shape.delay ?? []).map((d) => {
    const parsed = parseDelaySpec(d)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.value
  })
  const cells = buildCells([{label, scenarios: ['content-first'], strategies: ['naive', 'buffer'], seedStart: 1, seeds: 3, shape}], () => ({
    options: {delays},
    args: (shape.delay ?? []).map((d) => `--delay '${d}'`),
  }))
  return verifyMatrix(cells, {workers: 1, shrink: true})
}

describe('junitXml', () => {
  it('writes one well-formed testcase per cell, classname = scenario, name = strategy', async () => {
    // Given
    const matched = await outcome({'els-instances': 1})
    // When
    const xml = junitXml(matched)
    // Then
    const names = parseXml(xml)
    expect(names.filter((n) => n === 'testcase')).toHaveLength(2)
    expect(names.filter((n) => n === 'failure')).toHaveLength(0)
    expect(xml).toContain('<testcase classname="content-first" name="naive">')
    expect(xml).toContain('<testcase classname="content-first" name="buffer">')
    expect(xml).toContain('tests="2" failures="0"')
  })

  it('adds a failure naming expected vs actual, the first failing seed and the reproduce command', async () => {
    // Given naive cannot lose the race when BOS's relay is instant and files take 2 s
    const mismatched = await outcome({delay: ['bos-relay=0', 'file-processing=2s'], 'els-instances': 1})
    // When
    const xml = junitXml(mismatched)
    // Then
    const names = parseXml(xml)
    expect(names.filter((n) => n === 'failure')).toHaveLength(1)
    const failure = /<testcase classname="content-first" name="naive">\s*<failure type="expectation" message="([^"]*)">([^<]*)<\/failure>/.exec(xml)
    expect(failure).not.toBeNull()
    expect(failure![1]).toContain('expected fail (ready-exactly-once, no-false-excess), actual: 0 of 3 seeds failed with them; seed 1 passed')
    expect(failure![2]).toContain('first failing seed: none')
    expect(failure![2]).toContain('reproduce: racelab run --scenario content-first --strategy naive --seed 1 --delay &apos;bos-relay=0&apos;')
    expect(xml).toContain('tests="2" failures="1"')
  })

  it('escapes markup in names and text', async () => {
    // Given a label full of XML metacharacters
    const hostile = await outcome({'els-instances': 1}, `<"it's" & 'more'>\u0001`)
    // When
    const xml = junitXml(hostile)
    // Then
    expect(() => parseXml(xml)).not.toThrow()
    expect(xml).toContain('name="naive (&lt;&quot;it&apos;s&quot; &amp; &apos;more&apos;&gt;)"')
    expect(escapeXml('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; &quot;d&quot;')
  })

  it('the checker itself rejects malformed XML', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow('wrong element')
    expect(() => parseXml('<a x="1 & 2"/>')).toThrow('unescaped &')
    expect(() => parseXml('<a>1 < 2</a>')).toThrow('not XML')
    expect(() => parseXml('<a></a><b/>')).toThrow('more than one root')
  })
})
