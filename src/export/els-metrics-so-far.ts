import type {ElsMetrics} from '../sim/services/els.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {TOPICS} from '../sim/domain/topics.js'

/**
 * ELS's buffer metrics as the trace of a run in progress shows them (`run --metrics-port`): what
 * every instance did since the run started, summed. ELS's own counters restart with the process;
 * the file `--metrics FILE` writes at the end holds those.
 */
export function elsMetricsSoFar(trace: readonly TraceEvent[]): ElsMetrics {
  const metrics: ElsMetrics = {pendingStored: 0, reconciled: {assigned: 0, excess: 0, failed: 0}, expired: 0, maxPendingAge: 0, deadLettered: 0}
  for (const event of trace) {
    if (event.ev === 'expired') metrics.expired++
    if (event.ev !== 'handled') continue
    if (event.outcome.kind === 'buffered') metrics.pendingStored++
    else if (event.outcome.kind === 'dead-lettered') metrics.deadLettered++
    else if (event.outcome.kind === 'registered' && event.outcome.drained > 0) {
      const assigned = event.emitted.filter((t) => t === TOPICS.essaySlotAssigned).length
      const excess = event.emitted.filter((t) => t === TOPICS.excessContentProvisioned).length
      metrics.reconciled.assigned += assigned
      metrics.reconciled.excess += excess
      metrics.reconciled.failed += event.outcome.drained - assigned - excess
    }
  }
  return metrics
}
