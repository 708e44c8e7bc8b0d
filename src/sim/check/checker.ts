import {TOPICS} from '../domain/topics.js'
import {INVARIANTS, type InvariantName, type Violation} from './invariant.js'
import {failuresCountedOnce} from './invariants/failures-counted-once.js'
import {liveness} from './invariants/liveness.js'
import {metricsAgree} from './invariants/metrics-agree.js'
import {messagesParse} from './invariants/messages-parse.js'
import {noDoubleAssignment} from './invariants/no-double-assignment.js'
import {noFalseExcess} from './invariants/no-false-excess.js'
import {noLostContent} from './invariants/no-lost-content.js'
import {outboxDrained} from './invariants/outbox-drained.js'
import {readyExactlyOnce} from './invariants/ready-exactly-once.js'
import {readyAfterAssignments} from './invariants/ready-after-assignments.js'
import {readyWhenComplete} from './invariants/ready-when-complete.js'
import {relayCommitOrder} from './invariants/relay-commit-order.js'
import {slotsBelongToBatch} from './invariants/slots-belong-to-batch.js'
import type {Observation} from './observation.js'
import {type InvariantCheck, type ObservationIndex, buildIndex, compareIds, views} from './observation-index.js'

/** One check per named invariant; the Record type makes a missing one a compile error. */
export const CHECKS: Readonly<Record<InvariantName, InvariantCheck>> = {
  'ready-exactly-once': readyExactlyOnce,
  'ready-when-complete': readyWhenComplete,
  'ready-after-assignments': readyAfterAssignments,
  'no-false-excess': noFalseExcess,
  'no-lost-content': noLostContent,
  'failures-counted-once': failuresCountedOnce,
  'no-double-assignment': noDoubleAssignment,
  'slots-belong-to-batch': slotsBelongToBatch,
  'messages-parse': messagesParse,
  'relay-commit-order': relayCommitOrder,
  'metrics-agree': metricsAgree,
  'outbox-drained': outboxDrained,
  liveness,
}

const RANK = new Map<InvariantName, number>(INVARIANTS.map((name, i) => [name, i]))

/**
 * Checks every invariant over one observation. Pure: the same observation gives the same
 * violations, sorted by invariant (INVARIANTS order), then batch id; ties keep the order the
 * invariant reported them in.
 */
export function check(obs: Observation, index: ObservationIndex = buildIndex(obs)): Violation[] {
  return inReportOrder(INVARIANTS.flatMap((name) => CHECKS[name](obs, index)))
}

/** Sorts violations (in place) by invariant, then batch id; ties keep their order. */
export function inReportOrder(violations: Violation[]): Violation[] {
  return violations.sort(
    (a, b) => (RANK.get(a.invariant) ?? 0) - (RANK.get(b.invariant) ?? 0) || compareIds(a.batchId, b.batchId),
  )
}

/** Per-batch figures for reports: what was expected and what ELS said about it. */
export interface BatchCounts {
  batchId: string
  /** BOS's expected essay count (ELS's tracker's when BOS never committed the batch; else 0). */
  expected: number
  /** EssaySlotAssigned messages for the batch. */
  assigned: number
  /** The tracker's failed count (0 without a tracker). */
  failed: number
  /** ExcessContentProvisioned messages for the batch. */
  excess: number
  /** BatchEssaysReady messages for the batch. */
  ready: number
}

/** One row per batch id seen: BOS's batches in commit order, then any other id sorted. */
export function batchCounts(obs: Observation, index: ObservationIndex = buildIndex(obs)): BatchCounts[] {
  return views(index).map((view) => ({
    batchId: view.batchId,
    expected: view.batch?.expectedEssays ?? view.tracker?.expected ?? 0,
    assigned: view.messages[TOPICS.essaySlotAssigned].length,
    failed: view.tracker?.failed ?? 0,
    excess: view.messages[TOPICS.excessContentProvisioned].length,
    ready: view.messages[TOPICS.batchEssaysReady].length,
  }))
}

export type Verdict = {kind: 'pass'} | {kind: 'fail'; violations: Violation[]}

export function verdictOf(violations: readonly Violation[]): Verdict {
  return violations.length === 0 ? {kind: 'pass'} : {kind: 'fail', violations: [...violations]}
}

/** What every run reports about its observation. */
export interface Judgement {
  verdict: 'pass' | 'fail'
  violations: Violation[]
  batches: BatchCounts[]
}

/** What every run reports about its observation: the verdict, the violations, per-batch counts. */
export function judge(obs: Observation): Judgement {
  // One index for both: a large run's index is most of what judging it costs.
  const index = buildIndex(obs)
  const violations = check(obs, index)
  return {verdict: violations.length === 0 ? 'pass' : 'fail', violations, batches: batchCounts(obs, index)}
}
