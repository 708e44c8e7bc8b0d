import {describe, expect, it} from 'vitest'

import {messageFlows} from '../../src/export/message-flows.js'
import {mermaidSequence} from '../../src/export/mermaid-sequence.js'
import {MERMAID_HEAD, ownTraceFile} from '../../src/export/trace-formats.js'
import type {SimulationRun} from '../../src/sim/simulated/run-simulation.js'
import {simulate, subjectOf} from './run-for-export.js'

interface Diagram {
  participants: Map<string, string>
  arrows: {from: string; to: string; text: string}[]
  notes: {over: string; text: string}[]
  boxes: number
}

/**
 * A strict reading of the subset of Mermaid's sequence-diagram grammar racelab writes: the
 * `sequenceDiagram` header, `%%` comments, `participant ID as NAME`, messages `A->>B: text` and
 * `A-)B: text`, `Note over A: text`, and `rect COLOR` ... `end`. Any other line fails the test, as
 * does an arrow or note naming an undeclared participant, a `;` or `#` in a text (Mermaid would
 * cut the line there), or an unclosed box.
 */
function parseSequence(text: string): Diagram {
  const lines = text.trimEnd().split('\n')
  expect(lines[0]).toBe('sequenceDiagram')
  const diagram: Diagram = {participants: new Map(), arrows: [], notes: [], boxes: 0}
  let open = 0
  const known = (id: string): void => expect(diagram.participants.has(id), `participant ${id} declared`).toBe(true)
  for (const line of lines.slice(1)) {
    const trimmed = line.trim()
    let m: RegExpMatchArray | null
    if (trimmed.startsWith('%%')) continue
    if ((m = trimmed.match(/^participant ([A-Za-z][A-Za-z0-9]*) as (\S.*)$/))) {
      expect(diagram.arrows.length + diagram.notes.length, 'participants come first').toBe(0)
      diagram.participants.set(m[1], m[2])
    } else if ((m = trimmed.match(/^([A-Za-z][A-Za-z0-9]*)(->>|-\))([A-Za-z][A-Za-z0-9]*): (.+)$/))) {
      known(m[1])
      known(m[3])
      diagram.arrows.push({from: m[1], to: m[3], text: m[4]})
    } else if ((m = trimmed.match(/^Note over ([A-Za-z][A-Za-z0-9]*): (.+)$/))) {
      known(m[1])
      diagram.notes.push({over: m[1], text: m[2]})
    } else if (/^rect rgba?\([\d., ]+\)$/.test(trimmed)) {
      open++
      diagram.boxes++
    } else if (trimmed === 'end') {
      open--
      expect(open).toBeGreaterThanOrEqual(0)
    } else {
      throw new Error(`not a sequence-diagram line: ${line}`)
    }
    if (!trimmed.startsWith('%%')) expect(trimmed.replace(/^.*?: /, ''), line).not.toMatch(/[;#]/)
  }
  expect(open, 'every rect is closed').toBe(0)
  return diagram
}

const diagramOf = (run: SimulationRun) => parseSequence(mermaidSequence(run.trace, subjectOf(run)))

describe('mermaidSequence', () => {
  it('has one participant per service and relay, and one arrow per message from its relay to its consumer', () => {
    // Given
    const run = simulate('content-first', 'naive')

    // When
    const diagram = diagramOf(run)

    // Then
    const services = new Set(run.trace.map((e) => e.svc))
    expect([...diagram.participants.values()].filter((name) => name !== 'downstream topics')).toHaveLength(services.size)
    expect([...diagram.participants.values()]).toEqual(expect.arrayContaining(['BOS', 'File Service', 'bos-relay', 'file-relay', 'els', 'els-relay']))
    const flows = messageFlows(run.trace)
    expect(diagram.arrows).toHaveLength(flows.length)
    const toEls = diagram.arrows.filter((a) => a.to === 'els')
    expect(toEls.map((a) => a.from)).toEqual(['fileRelay', 'fileRelay', 'bosRelay'])
    expect(diagram.arrows.filter((a) => a.to === 'downstream').map((a) => a.from)).toEqual(['elsRelay', 'elsRelay'])
  })

  it('boxes the harmful reordering: both contents reach ELS before the registration under naive, nothing under buffer', () => {
    // When
    const naive = diagramOf(simulate('content-first', 'naive'))
    const buffer = diagramOf(simulate('registration-first', 'buffer'))

    // Then
    expect(naive.boxes).toBe(2)
    expect(naive.notes.filter((n) => n.text === 'handled before its batch was registered')).toHaveLength(2)
    expect(buffer.boxes).toBe(0)
  })

  it('notes every fault over the lane where it happened, and a redelivery as a note, not a second arrow', () => {
    // Given
    const run = simulate('large-batch', 'buffer', {faults: ['consumer-crash-before-commit@30%', 'relay-crash-after-publish=file@20%'], seed: 3})
    const faults = run.trace.filter((e) => e.ev === 'els-crashed' || e.ev === 'relay-crashed')
    expect(faults.length).toBeGreaterThan(0)

    // When
    const diagram = diagramOf(run)

    // Then
    const faultNotes = diagram.notes.filter((n) => n.text.includes('FAULT:'))
    expect(faultNotes.filter((n) => n.text.includes('crash') || n.text.includes('CRASH')).length).toBeGreaterThanOrEqual(faults.length)
    expect(diagram.arrows).toHaveLength(messageFlows(run.trace).length)
    const again = messageFlows(run.trace).reduce((sum, f) => sum + Math.max(0, f.handlings.length - 1), 0)
    expect(again).toBeGreaterThan(0)
    expect(diagram.notes.filter((n) => n.text.includes('handled again'))).toHaveLength(again)
  })

  it('starts with the head racelab recognises as its own file', () => {
    const text = mermaidSequence(simulate('partial', 'naive').trace, {scenario: 'partial', strategy: 'naive', seed: 1, reproduce: 'racelab run --scenario partial; rm -rf #x'})
    expect(text.startsWith(MERMAID_HEAD)).toBe(true)
    expect(ownTraceFile(text)).toBe(true)
    parseSequence(text)
  })
})
