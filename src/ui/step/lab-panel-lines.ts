import {SHARED_BATCH_TOPIC} from '../../sim/domain/topics.js'
import {formatSeconds} from '../../sim/kernel/time.js'
import type {InvariantStatus} from '../../sim/lab/invariant-breaks.js'
import type {LabState} from '../../sim/lab/lab-state-at.js'
import type {StyledLine} from '../styled-line.js'
import {SHORT} from '../swimlane-rows.js'

// The lab's panels as styled lines: pure functions of the lab state at the cursor, so a panel
// shows the same in a tab (80 columns) and beside the swimlane (a wide terminal).

export const PANELS = ['batches', 'outbox', 'partitions', 'slots', 'pending', 'invariants'] as const
export type PanelName = (typeof PANELS)[number]

const short = (type: string): string => (type === SHARED_BATCH_TOPIC ? 'batch-events' : (SHORT[type] ?? type))

/** Each outbox: rows committed so far, then every row not published yet with its age. */
export function outboxLines(state: LabState): StyledLine[] {
  const lines: StyledLine[] = []
  for (const outbox of state.outboxes) {
    const waiting = outbox.unpublished.length
    lines.push({text: `${outbox.service.padEnd(5)} ${outbox.committed} committed, ${waiting} unpublished`, tone: waiting > 0 ? 'warn' : 'dim'})
    for (const row of outbox.unpublished) {
      lines.push({text: `  row ${row.row} ${short(row.type)}${row.batch ? ` ${row.batch}` : ''}, waiting ${formatSeconds(row.age)}`})
    }
  }
  return lines
}

/** Each topic partition a relay appended to: its end offset, and ELS's group's committed offset (lag when behind). */
export function partitionLines(state: LabState): StyledLine[] {
  if (state.partitions.length === 0) return [{text: 'nothing published yet', tone: 'dim'}]
  const width = Math.max(...state.partitions.map((p) => short(p.topic).length))
  return state.partitions.map((p) => {
    const name = `${short(p.topic).padEnd(width)} p${p.partition}`
    if (p.committed === undefined) return {text: `${name}  end ${p.end}  (ELS's output)`, tone: 'dim'}
    const lag = p.end - p.committed
    return {text: `${name}  end ${p.end}  committed ${p.committed}${lag > 0 ? `  lag ${lag}` : ''}`, tone: lag > 0 ? 'warn' : undefined}
  })
}

/** ELS's slots per batch: one mark per slot (A assigned, F failed, . free), the counts and readiness. */
export function slotLines(state: LabState): StyledLine[] {
  const lines: StyledLine[] = []
  for (const batch of state.batches) {
    const slots = state.slots.find((s) => s.batch === batch.batchId)
    if (!slots) {
      lines.push({text: `${batch.batchId.padEnd(4)} unknown at ELS${batch.excess > 0 ? `, ${batch.excess} reported excess` : ''}`, tone: batch.excess > 0 ? 'fail' : 'dim'})
      continue
    }
    const marks = 'A'.repeat(Math.min(slots.assigned, 20)) + 'F'.repeat(Math.min(slots.failed, 20)) + '.'.repeat(Math.min(slots.free, 20))
    const ready = slots.ready === 0 ? 'not ready' : slots.ready === 1 ? 'READY' : `READY x${slots.ready}`
    lines.push({
      text: `${batch.batchId.padEnd(4)} [${marks}] ${slots.assigned} assigned, ${slots.failed} failed, ${slots.free} free: ${ready}`,
      tone: slots.ready === 1 ? 'pass' : slots.ready > 1 ? 'fail' : undefined,
    })
  }
  return lines.length === 0 ? [{text: 'no batch yet', tone: 'dim'}] : lines
}

/** ELS's pending buffer (buffer strategy): every row waiting for its batch's registration, with its age. */
export function pendingLines(state: LabState): StyledLine[] {
  if (state.pending.length === 0) return [{text: 'pending buffer empty', tone: 'dim'}]
  return state.pending.map((row) => ({text: `${row.batch.padEnd(4)} ${row.ref} (${row.kind}), age ${formatSeconds(row.age)}`, tone: 'warn'}))
}

/** Every invariant at the cursor: broken ones first, red, with what broke; then the ones holding so far. */
export function invariantLines(statuses: readonly InvariantStatus[]): StyledLine[] {
  const broken = statuses.filter((s) => s.broken.length > 0)
  const holding = statuses.filter((s) => s.broken.length === 0)
  return [
    ...broken.flatMap((s) =>
      s.broken.map((b) => ({text: `✗ ${s.invariant} ${b.batchId} (event ${b.at + 1}): ${b.detail}`, tone: 'fail' as const})),
    ),
    ...holding.map((s) => ({text: `✓ ${s.invariant}`, tone: 'dim' as const})),
  ]
}

/** How many invariants are broken at the cursor (the tab bar shows it on every tab). */
export const brokenCount = (statuses: readonly InvariantStatus[]): number => statuses.filter((s) => s.broken.length > 0).length

/** The batches panel in a narrow terminal: one line per batch, counters that are 0 left out. */
export function batchLines(state: LabState): StyledLine[] {
  if (state.batches.length === 0) return [{text: 'no batch yet', tone: 'dim'}]
  return state.batches.map((b) => {
    const counters = (['assigned', 'failed', 'buffered', 'excess', 'lost', 'expired'] as const).filter((name) => b[name] > 0).map((name) => `${b[name]} ${name}`)
    const published = [b.registrationPublished ? 'reg' : '', b.filesPublished > 0 ? `${b.filesPublished} files` : ''].filter(Boolean).join('+') || '-'
    const els = b.elsRegistered ? `${b.slots} slots` : 'unknown'
    const ready = b.ready === 0 ? 'not ready' : b.ready === 1 ? 'READY' : `READY x${b.ready}`
    return {
      text: `${b.batchId.padEnd(4)} bos ${b.bosRegistered ? `${b.expected} essays` : '-'} | file ${b.committed}/${b.uploads} | pub ${published} | els ${els}${counters.length > 0 ? `, ${counters.join(', ')}` : ''} | ${ready}`,
      tone: b.ready === 1 ? 'pass' : b.ready > 1 || b.lost > 0 ? 'fail' : b.excess > 0 ? 'warn' : undefined,
    }
  })
}

/** The lines of one panel at the cursor. */
export function panelLines(name: PanelName, state: LabState, statuses: readonly InvariantStatus[]): StyledLine[] {
  switch (name) {
    case 'batches':
      return batchLines(state)
    case 'outbox':
      return outboxLines(state)
    case 'partitions':
      return partitionLines(state)
    case 'slots':
      return slotLines(state)
    case 'pending':
      return pendingLines(state)
    case 'invariants':
      return invariantLines(statuses)
  }
}

/** The tab bar of the narrow layout: the current panel in brackets, the invariants with their broken count. */
export function panelTabBar(tab: number, broken: number): string {
  return PANELS.map((name, i) => {
    const label = name === 'invariants' && broken > 0 ? `${name} ✗${broken}` : name
    return i === tab ? `[${i + 1} ${label}]` : ` ${i + 1} ${label} `
  }).join('')
}
