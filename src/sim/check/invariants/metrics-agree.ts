import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {ObservedMetrics, Observation} from '../observation.js'

type Counts = ObservedMetrics['reported']

/**
 * metrics-agree: the buffer metrics ELS reports say what its instances did since each last
 * started: `pendingStored` the events it buffered, `reconciled` what its registrations drained
 * (assigned: the EssaySlotAssigned a drain wrote, excess: its ExcessContentProvisioned, failed:
 * the rest), `expired` the rows its timer reported, `deadLettered` the messages it gave up on. A
 * dashboard that counts excess as assigned hides exactly the race the fix is for.
 */
export function metricsAgree(obs: Observation): Violation[] {
  const metrics = obs.els.metrics
  if (metrics === undefined) return []
  const expected = expectedCounts(metrics)
  const {reported} = metrics
  const wrong: string[] = []
  const compare = (name: string, got: number, want: number): void => {
    if (got !== want) wrong.push(`${name} ${got}, the trace says ${want}`)
  }
  compare('pendingStored', reported.pendingStored, expected.pendingStored)
  compare('reconciled.assigned', reported.reconciled.assigned, expected.reconciled.assigned)
  compare('reconciled.excess', reported.reconciled.excess, expected.reconciled.excess)
  compare('reconciled.failed', reported.reconciled.failed, expected.reconciled.failed)
  compare('expired', reported.expired, expected.expired)
  compare('deadLettered', reported.deadLettered, expected.deadLettered)
  if (wrong.length === 0) return []
  return [{invariant: 'metrics-agree', batchId: '*', detail: `ELS's metrics disagree with what it did: ${wrong.join('; ')}`, events: []}]
}

function zero(): Counts {
  return {pendingStored: 0, reconciled: {assigned: 0, excess: 0, failed: 0}, expired: 0, deadLettered: 0}
}

function expectedCounts(metrics: ObservedMetrics): Counts {
  const perInstance = new Map<number, Counts>()
  const of = (instance: number): Counts => {
    let counts = perInstance.get(instance)
    if (counts === undefined) perInstance.set(instance, (counts = zero()))
    return counts
  }
  for (const event of metrics.events) {
    if (event.kind === 'reset') {
      perInstance.set(event.instance, zero())
      continue
    }
    const counts = of(event.instance)
    if (event.kind === 'expired') {
      counts.expired++
      continue
    }
    if (event.outcome === 'buffered') counts.pendingStored++
    else if (event.outcome === 'dead-lettered') counts.deadLettered++
    else if (event.outcome === 'registered' && event.drained > 0) {
      const assigned = event.emitted.filter((t) => t === TOPICS.essaySlotAssigned).length
      const excess = event.emitted.filter((t) => t === TOPICS.excessContentProvisioned).length
      counts.reconciled.assigned += assigned
      counts.reconciled.excess += excess
      counts.reconciled.failed += event.drained - assigned - excess
    }
  }
  const total = zero()
  for (const counts of perInstance.values()) {
    total.pendingStored += counts.pendingStored
    total.reconciled.assigned += counts.reconciled.assigned
    total.reconciled.excess += counts.reconciled.excess
    total.reconciled.failed += counts.reconciled.failed
    total.expired += counts.expired
    total.deadLettered += counts.deadLettered
  }
  return total
}
