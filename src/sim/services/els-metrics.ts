import type {ElsMetrics} from './els.js'

/** The metrics of several ELS instances, as a dashboard would sum them. */
export function sumMetrics(all: readonly ElsMetrics[]): ElsMetrics {
  const total: ElsMetrics = {pendingStored: 0, reconciled: {assigned: 0, excess: 0, failed: 0}, expired: 0, maxPendingAge: 0, deadLettered: 0}
  for (const m of all) {
    total.pendingStored += m.pendingStored
    total.reconciled.assigned += m.reconciled.assigned
    total.reconciled.excess += m.reconciled.excess
    total.reconciled.failed += m.reconciled.failed
    total.expired += m.expired
    total.maxPendingAge = Math.max(total.maxPendingAge, m.maxPendingAge)
    total.deadLettered += m.deadLettered
  }
  return total
}

/** `{metrics}` for a result, or nothing: a JSON result omits metrics racelab could not read. */
export function optionalMetrics(metrics: ElsMetrics | undefined): {metrics?: ElsMetrics} {
  return metrics === undefined ? {} : {metrics}
}
