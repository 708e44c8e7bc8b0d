import {describe, expect, it} from 'vitest'

import {SHARED_BATCH_TOPIC, TOPICS} from '../../../src/sim/domain/topics.js'
import {simulateLab} from '../../../src/sim/lab/lab-run.js'
import {indexAtTime, labStateAt} from '../../../src/sim/lab/lab-state-at.js'
import type {LabConfig} from '../../../src/sim/lab/lab-config.js'
import type {Strategy} from '../../../src/sim/scenario/strategy.js'

const lab = (scenario: string, strategy: Strategy, extra: Partial<LabConfig> = {}) =>
  simulateLab({scenario, strategy, seed: 1, delays: [], wakes: [], faults: [], elsInstances: 1, ...extra})

describe('labStateAt', () => {
  it('outboxes: a row is unpublished from its commit until a relay published it, with its age', () => {
    // Given content-first: BOS commits at 0.119s, its relay publishes 2 s later
    const {run} = lab('content-first', 'naive')
    const published = run.trace.findIndex((e) => e.ev === 'published' && e.type === TOPICS.batchEssaysRegistered)

    // When
    const before = labStateAt(run.trace, published - 1)
    const after = labStateAt(run.trace, published)

    // Then
    const bos = before.outboxes.find((o) => o.service === 'bos')!
    expect(bos.committed).toBe(1)
    expect(bos.unpublished).toEqual([{row: 1, type: TOPICS.batchEssaysRegistered, batch: 'b1', age: run.trace[published - 1].t - run.trace[0].t}])
    expect(after.outboxes.find((o) => o.service === 'bos')!.unpublished).toEqual([])
    // ELS's two excess reports were committed and published by then
    expect(after.outboxes.find((o) => o.service === 'els')).toMatchObject({committed: 2, unpublished: []})
  })

  it('partitions: end offsets per topic partition, and the group’s committed offset for ELS’s input only', () => {
    // Given
    const {run} = lab('content-first', 'naive')

    // When
    const final = labStateAt(run.trace, run.trace.length - 1)

    // Then every input partition is committed to its end; ELS's output has no committed offset
    const inputs = final.partitions.filter((p) => p.committed !== undefined)
    expect(inputs.length).toBeGreaterThan(0)
    for (const p of inputs) expect(p.committed).toBe(p.end)
    expect(final.partitions.filter((p) => p.topic === TOPICS.excessContentProvisioned).every((p) => p.committed === undefined)).toBe(true)
    const ends = new Map<string, number>()
    for (const e of run.trace) if (e.ev === 'published') ends.set(`${e.type}#${e.partition}`, Math.max(ends.get(`${e.type}#${e.partition}`) ?? 0, e.offset + 1))
    expect(new Map(final.partitions.map((p) => [`${p.topic}#${p.partition}`, p.end]))).toEqual(ends)
  })

  it('partitions: a message appended but not yet handled is lag', () => {
    // Given the first content published, ELS not there yet
    const {run} = lab('content-first', 'naive')
    const published = run.trace.findIndex((e) => e.ev === 'published' && e.type === TOPICS.essayContentProvisioned)

    // When
    const state = labStateAt(run.trace, published)

    // Then
    const event = run.trace[published] as Extract<(typeof run.trace)[number], {ev: 'published'}>
    expect(state.partitions).toContainEqual({topic: TOPICS.essayContentProvisioned, partition: event.partition, end: event.offset + 1, committed: 0})
  })

  it('partitions: partition-key routing puts ELS’s input on the shared topic', () => {
    // Given
    const partitionKey = lab('content-first', 'partition-key')

    // When
    const final = labStateAt(partitionKey.run.trace, partitionKey.run.trace.length - 1, partitionKey.routing)

    // Then
    expect(final.partitions.some((p) => p.topic === SHARED_BATCH_TOPIC && p.committed !== undefined)).toBe(true)
    expect(final.partitions.some((p) => p.topic === TOPICS.essayContentProvisioned)).toBe(false)
  })

  it('pending: buffered rows with their age, drained by the registration', () => {
    // Given buffer in content-first
    const {run} = lab('content-first', 'buffer')
    const first = run.trace.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'buffered')
    const registered = run.trace.findIndex((e) => e.ev === 'handled' && e.outcome.kind === 'registered')

    // When
    const atBuffering = labStateAt(run.trace, first)
    const justBefore = labStateAt(run.trace, registered - 1)
    const afterDrain = labStateAt(run.trace, registered)

    // Then
    expect(atBuffering.pending).toEqual([{batch: 'b1', ref: 'text-b1-f2', kind: 'content', age: 0}])
    expect(justBefore.pending.map((p) => p.ref).sort()).toEqual(['text-b1-f1', 'text-b1-f2'])
    expect(justBefore.pending.find((p) => p.ref === 'text-b1-f2')!.age).toBe(run.trace[registered - 1].t - run.trace[first].t)
    expect(afterDrain.pending).toEqual([])
  })

  it('slots: free, assigned and failed per batch ELS knows', () => {
    // Given one invalid file of two, under buffer
    const {run} = lab('validation-failure', 'buffer')

    // When
    const final = labStateAt(run.trace, run.trace.length - 1)
    const start = labStateAt(run.trace, 0)

    // Then
    expect(final.slots).toEqual([{batch: 'b1', slots: 2, free: 0, assigned: 1, failed: 1, ready: 1}])
    expect(start.slots).toEqual([])
  })

  it('indexAtTime: the last event at or before a virtual time', () => {
    // Given
    const {run} = lab('content-first', 'naive')

    // When / Then
    expect(indexAtTime(run.trace, 0)).toBe(0)
    const t = run.trace[5].t
    expect(run.trace[indexAtTime(run.trace, t)].t).toBe(t)
    expect(run.trace[indexAtTime(run.trace, t) + 1].t).toBeGreaterThan(t)
    expect(indexAtTime(run.trace, t - 1)).toBeLessThan(5)
    expect(indexAtTime(run.trace, Number.MAX_SAFE_INTEGER)).toBe(run.trace.length - 1)
  })
})
