import type {BusMessage} from '../bus/bus.js'
import {TOPICS} from '../domain/topics.js'
import {OUTBOX_ROW_HEADER} from '../services/relay.js'
import {CHECKS, batchCounts, inReportOrder, type BatchCounts, type Judgement} from './checker.js'
import {INVARIANTS, type InvariantName, type Violation} from './invariant.js'
import {doubleAssignmentViolations} from './invariants/no-double-assignment.js'
import {relayCommitViolations} from './invariants/relay-commit-order.js'
import type {Observation, ObservedMessage, ObservedTracker} from './observation.js'
import {buildIndex, compareIds, emissionOf} from './observation-index.js'
import {readMessage} from './observe.js'
import {SlotOwners} from './slot-owners.js'

/**
 * A part's parsed messages are all the judge holds parsed at once: 25 batches × 25 essays is about
 * 1,300, a few MiB, which die in V8's young generation. Parts of 250 batches outlived it, were
 * promoted and piled up as old garbage: 1,730 to 1,900 MiB peak at 10,000 × 25 against 1,530 to
 * 1,640 with 25 (docs/benchmarks.md), for the same CPU.
 */
export const BATCHES_PER_PART = 25

/**
 * How each invariant is judged in parts. `batch`: its findings about a batch read only that
 * batch's view (and the run's scalars), so it runs on each part alone. `run`: it relates messages
 * of any batches, or reads only the run's own lists, so it runs once, over what the first pass
 * kept. `both`: once over the run's own state, and per part over each batch. A Record, so that a
 * new invariant must say which it is.
 */
const SCOPE: Readonly<Record<InvariantName, 'batch' | 'run' | 'both'>> = {
  'ready-exactly-once': 'batch',
  'ready-when-complete': 'batch',
  'ready-after-assignments': 'batch',
  'no-false-excess': 'batch',
  'no-lost-content': 'batch',
  'failures-counted-once': 'batch',
  // Batch by batch, given every batch's registrations (`SlotOwners`).
  'slots-belong-to-batch': 'batch',
  'no-double-assignment': 'run',
  'messages-parse': 'run',
  'relay-commit-order': 'run',
  'metrics-agree': 'run',
  'outbox-drained': 'run',
  // Whether the run settled, once; each batch's convergence, per part.
  liveness: 'both',
}

/**
 * Judges a large run the way `judge(observe(...))` would, to the byte, without holding every
 * message parsed at once (docs/benchmarks.md: the judge's parsed copy of 520,000 messages was
 * +700 MiB at 10,000 batches × 25 essays). `base` is the run's observation without messages;
 * `log` the broker's, read once.
 *
 * The first pass parses each message, keeps the broker's record (not the parse) and what the
 * whole-run invariants need (each assignment's pair, each registration's essays); those
 * invariants run then, re-parsing only the records they report. The second pass judges the
 * batches a part at a time, in `batchIds` order: it parses the part's records again, judges the
 * part's views, and lets the records go.
 */
export function judgeInParts(base: Observation, log: Iterable<BusMessage>, batchesPerPart = BATCHES_PER_PART): Judgement {
  // First pass: every record once.
  const kept: (BusMessage | undefined)[] = []
  const seqsOf = new Map<string, number[]>()
  const malformed: Observation['malformed'] = []
  const assignedSeq: number[] = []
  const assignedEssay: string[] = []
  const assignedText: string[] = []
  const registered = new Map<string, (readonly string[])[]>()
  for (const record of log) {
    const read = readMessage(record)
    if (!read.ok) {
      malformed.push(read.malformed)
      continue
    }
    const seq = kept.length
    kept.push(record)
    const envelope = read.message.envelope
    const batchId = envelope.data.batch_id
    const seqs = seqsOf.get(batchId)
    if (seqs === undefined) seqsOf.set(batchId, [seq])
    else seqs.push(seq)
    // Copies of one emission are kept too: they repeat its pair and its registration, which
    // changes no owner and no finding; only a report names emissions (below).
    if (envelope.event_type === TOPICS.essaySlotAssigned) {
      assignedSeq.push(seq)
      assignedEssay.push(envelope.data.essay_id)
      assignedText.push(envelope.data.text_storage_id)
    } else if (envelope.event_type === TOPICS.batchEssaysRegistered) {
      const lists = registered.get(batchId)
      if (lists === undefined) registered.set(batchId, [envelope.data.essay_ids])
      else lists.push(envelope.data.essay_ids)
    }
  }

  const reread = (seq: number): ObservedMessage => {
    const read = readMessage(kept[seq]!)
    if (!read.ok) throw new Error(`message ${seq} parsed once and not twice`)
    return read.message
  }
  const found = new Map<InvariantName, Violation[]>(INVARIANTS.map((name) => [name, []]))

  // The whole-run invariants, while every record is still kept. An observation without batches
  // has no views: liveness then judges only whether the run settled.
  const whole: Observation = {...base, batches: [], uploads: [], messages: [], malformed, els: {...base.els, trackers: [], pending: []}}
  const wholeIndex = buildIndex(whole)
  for (const name of INVARIANTS) {
    if (name === 'relay-commit-order' || name === 'no-double-assignment') continue
    if (SCOPE[name] !== 'batch') found.get(name)!.push(...CHECKS[name](whole, wholeIndex))
  }
  found.get('relay-commit-order')!.push(
    ...relayCommitViolations(
      kept.map((_, seq) => seq),
      {
        at: (seq) => kept[seq]!,
        row: (seq) => kept[seq]!.headers[OUTBOX_ROW_HEADER],
        eventId: (seq) => reread(seq).envelope.event_id,
        batchId: (seq) => reread(seq).envelope.data.batch_id,
      },
    ),
  )
  const assignments = {
    essayId: (i: number) => assignedEssay[i],
    textId: (i: number) => assignedText[i],
    eventId: (i: number) => reread(assignedSeq[i]).envelope.event_id,
    batchId: (i: number) => reread(assignedSeq[i]).envelope.data.batch_id,
  }
  // Copies pair nothing new, so a run without a double assignment has none with them counted;
  // one that has is judged again over its emissions alone, as the whole judge does.
  const everyCopy = assignedSeq.map((_, i) => i)
  if (doubleAssignmentViolations(everyCopy, assignments).length > 0) {
    const emissions = new Set<string>()
    const emitted = everyCopy.filter((i) => {
      const emission = emissionOf(reread(assignedSeq[i]))
      if (emissions.has(emission)) return false
      emissions.add(emission)
      return true
    })
    found.get('no-double-assignment')!.push(...doubleAssignmentViolations(emitted, assignments))
  }
  assignedSeq.length = assignedEssay.length = assignedText.length = 0

  // Every batch id, in buildIndex's order: BOS's batches in commit order, then the rest sorted.
  const uploadsOf = groupBy(base.uploads, (u) => u.batchId)
  const pendingOf = groupBy(base.els.pending, (p) => p.batchId)
  const trackerOf = new Map<string, ObservedTracker>(base.els.trackers.map((t) => [t.batchId, t]))
  const bosIds = new Set(base.batches.map((b) => b.batchId))
  const others = new Set<string>()
  for (const id of [...uploadsOf.keys(), ...trackerOf.keys(), ...pendingOf.keys(), ...seqsOf.keys()]) if (!bosIds.has(id)) others.add(id)
  const batchIds = [...bosIds, ...[...others].sort(compareIds)]
  const owners = new SlotOwners(registrationsInOrder(batchIds, registered))
  registered.clear()

  // Second pass: a part of the batches at a time.
  const batchOf = new Map(base.batches.map((b) => [b.batchId, b]))
  const counts: BatchCounts[] = []
  const {unsettled: _settledOnce, ...settled} = base
  const {metrics: _judgedOnce, ...els} = base.els
  for (let start = 0; start < batchIds.length; start += batchesPerPart) {
    const ids = batchIds.slice(start, start + batchesPerPart)
    const partSeqs = ids.flatMap((id) => seqsOf.get(id) ?? []).sort((a, b) => a - b)
    const messages = partSeqs.map(reread)
    for (const seq of partSeqs) kept[seq] = undefined
    for (const id of ids) seqsOf.delete(id)
    const part: Observation = {
      ...settled,
      batches: ids.flatMap((id) => batchOf.get(id) ?? []),
      uploads: ids.flatMap((id) => uploadsOf.get(id) ?? []),
      messages,
      malformed: [],
      els: {...els, trackers: ids.flatMap((id) => trackerOf.get(id) ?? []), pending: ids.flatMap((id) => pendingOf.get(id) ?? [])},
    }
    const index = buildIndex(part, owners)
    for (const name of INVARIANTS) if (SCOPE[name] !== 'run') found.get(name)!.push(...CHECKS[name](part, index))
    counts.push(...batchCounts(part, index))
  }

  const violations = inReportOrder(INVARIANTS.flatMap((name) => found.get(name)!))
  return {verdict: violations.length === 0 ? 'pass' : 'fail', violations, batches: counts}
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const id = key(item)
    const group = groups.get(id)
    if (group === undefined) groups.set(id, [item])
    else group.push(item)
  }
  return groups
}

function* registrationsInOrder(batchIds: readonly string[], registered: ReadonlyMap<string, (readonly string[])[]>): Iterable<readonly [string, readonly string[]]> {
  for (const id of batchIds) for (const essays of registered.get(id) ?? []) yield [id, essays]
}
