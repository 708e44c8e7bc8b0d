import {describe, expect, it} from 'vitest'

import {chromeTrace} from '../../src/export/chrome-trace.js'
import {messageFlows} from '../../src/export/message-flows.js'
import {CHROME_TRACE_HEAD, ownTraceFile} from '../../src/export/trace-formats.js'
import type {SimulationRun} from '../../src/sim/simulated/run-simulation.js'
import {simulate, subjectOf} from './run-for-export.js'

interface Event {
  name: string
  ph: string
  pid: number
  tid: number
  ts?: number
  dur?: number
  id?: number
  bp?: string
  args?: Record<string, unknown>
}

/**
 * The checks a trace-event JSON viewer relies on (the Trace Event Format): an object with a
 * `traceEvents` array; every event a phase, a pid and a tid; metadata naming each thread; complete
 * events with a time and a duration that nest on their thread; flow events that start once, end
 * once, and each lie inside a slice of their own thread (what they bind to).
 */
function parseTraceEvents(text: string): {events: Event[]; threads: Map<number, string>} {
  const json = JSON.parse(text) as {traceEvents: Event[]; displayTimeUnit?: string}
  expect(Array.isArray(json.traceEvents)).toBe(true)
  expect(['ms', 'ns', undefined]).toContain(json.displayTimeUnit)
  const threads = new Map<number, string>()
  for (const event of json.traceEvents) {
    expect(typeof event.name).toBe('string')
    expect(['M', 'X', 's', 't', 'f']).toContain(event.ph)
    expect(Number.isInteger(event.pid)).toBe(true)
    expect(Number.isInteger(event.tid)).toBe(true)
    if (event.ph === 'M' && event.name === 'thread_name') threads.set(event.tid, event.args!.name as string)
    if (event.ph !== 'M') expect(Number.isInteger(event.ts) && event.ts! >= 0).toBe(true)
    if (event.ph === 'X') expect(Number.isInteger(event.dur) && event.dur! >= 0).toBe(true)
  }
  const slices = json.traceEvents.filter((e) => e.ph === 'X')
  for (const slice of slices) expect(threads.has(slice.tid), `slice ${slice.name} on a named thread`).toBe(true)
  // Slices on one thread nest or are disjoint: none starts inside another and ends after it.
  for (const a of slices) {
    for (const b of slices) {
      if (a === b || a.tid !== b.tid) continue
      const overlapsPartly = a.ts! < b.ts! && b.ts! < a.ts! + a.dur! && b.ts! + b.dur! > a.ts! + a.dur!
      expect(overlapsPartly, `${a.name} and ${b.name} overlap partly`).toBe(false)
    }
  }
  const flows = new Map<number, Event[]>()
  for (const event of json.traceEvents.filter((e) => ['s', 't', 'f'].includes(e.ph))) {
    flows.set(event.id!, [...(flows.get(event.id!) ?? []), event])
    const enclosing = slices.some((s) => s.tid === event.tid && s.ts! <= event.ts! && event.ts! <= s.ts! + s.dur!)
    expect(enclosing, `flow ${event.id} (${event.ph}) lies in a slice of its thread`).toBe(true)
  }
  for (const [id, steps] of flows) {
    expect(steps.map((s) => s.ph).filter((ph) => ph === 's'), `flow ${id} starts once`).toHaveLength(1)
    expect(steps.map((s) => s.ph).filter((ph) => ph === 'f'), `flow ${id} ends once`).toHaveLength(1)
    expect(steps[0].ph).toBe('s')
    expect(steps.at(-1)!.ph).toBe('f')
    for (let i = 1; i < steps.length; i++) expect(steps[i].ts!).toBeGreaterThanOrEqual(steps[i - 1].ts!)
  }
  return {events: json.traceEvents, threads}
}

function export_(run: SimulationRun) {
  const text = chromeTrace(run.trace, subjectOf(run))
  return {text, ...parseTraceEvents(text)}
}

describe('chromeTrace', () => {
  it('is valid trace-event JSON with one track per service and relay, each event a slice on its track', () => {
    // Given
    const run = simulate('content-first', 'naive')

    // When
    const {events, threads} = export_(run)

    // Then
    const services = [...new Set(run.trace.map((e) => e.svc))]
    expect([...threads.values()].sort()).toEqual(services.sort())
    expect(new Set(threads.keys()).size).toBe(services.length)
    const slices = events.filter((e) => e.ph === 'X')
    expect(slices).toHaveLength(run.trace.length)
    slices.forEach((slice, i) => {
      expect(threads.get(slice.tid)).toBe(run.trace[i].svc)
      expect(slice.ts).toBe(run.trace[i].t)
    })
  })

  it('draws one flow per consumed message, from the relay that published it to the ELS instance that handled it', () => {
    // Given
    const run = simulate('content-first', 'naive')

    // When
    const {events, threads} = export_(run)

    // Then
    const consumed = messageFlows(run.trace).filter((f) => f.handlings.length > 0)
    expect(consumed.length).toBe(3)
    const starts = events.filter((e) => e.ph === 's')
    expect(starts).toHaveLength(consumed.length)
    for (const flow of consumed) {
      const start = starts.find((s) => s.id === flow.id)!
      const end = events.find((e) => e.ph === 'f' && e.id === flow.id)!
      expect(threads.get(start.tid)).toBe(flow.published.svc)
      expect(start.ts).toBe(flow.published.t)
      expect(threads.get(end.tid)).toBe('els')
      expect(end.ts).toBe(flow.handlings.at(-1)!.t)
    }
  })

  it('keeps redeliveries on the same flow and tracks each ELS instance, under crashes and three instances', () => {
    // Given: a run where ELS crashes before committing, so some messages are handled twice
    const run = simulate('large-batch', 'buffer', {faults: ['consumer-crash-before-commit@30%'], elsInstances: 3, seed: 3})
    const redelivered = messageFlows(run.trace).filter((f) => f.handlings.length > 1)
    expect(redelivered.length).toBeGreaterThan(0)

    // When
    const {events, threads} = export_(run)

    // Then
    for (const flow of redelivered) {
      const steps = events.filter((e) => e.id === flow.id && ['s', 't', 'f'].includes(e.ph))
      expect(steps.map((s) => s.ph)).toEqual(['s', ...flow.handlings.slice(1).map(() => 't'), 'f'])
    }
    expect([...threads.values()].filter((name) => name.startsWith('els-') && name !== 'els-relay').length).toBeGreaterThan(1)
    expect(events.some((e) => e.ph === 'X' && (e as {cat?: string}).cat === 'fault')).toBe(true)
  })

  it('starts with the head racelab recognises as its own file, and the same run gives the same bytes', () => {
    // Given
    const a = chromeTrace(simulate('random', 'naive', {seed: 5}).trace, {scenario: 'random', strategy: 'naive', seed: 5})
    const b = chromeTrace(simulate('random', 'naive', {seed: 5}).trace, {scenario: 'random', strategy: 'naive', seed: 5})

    // Then
    expect(a.startsWith(CHROME_TRACE_HEAD)).toBe(true)
    expect(ownTraceFile(a.slice(0, 4096))).toBe(true)
    expect(ownTraceFile('{"traceEvents":[]}')).toBe(false)
    expect(a).toBe(b)
  })
})
