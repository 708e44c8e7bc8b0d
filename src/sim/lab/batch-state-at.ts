import {TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** What one batch looks like to each service after some prefix of a run's trace. */
export interface BatchState {
  batchId: string
  /** BOS committed the registration (and its outbox row). */
  bosRegistered: boolean
  /** Essays BOS registered (0 until it did). */
  expected: number
  /** Uploads the File Service accepted, and refused. */
  uploads: number
  refused: number
  /** Files whose outcome the File Service committed (with its outbox row), and how many of those failed validation. */
  committed: number
  invalid: number
  /** A relay published the registration to Kafka. */
  registrationPublished: boolean
  /** Distinct File Service outbox rows of this batch (contents and failures) a relay published. */
  filesPublished: number
  /** ELS handled the registration: its tracker and slots exist. */
  elsRegistered: boolean
  slots: number
  /** What ELS did with the batch's content and failures so far (in its database and outbox). */
  assigned: number
  /** Content and failures held in ELS's pending table right now (buffer strategy). */
  buffered: number
  /** ExcessContentProvisioned ELS wrote (NO_AVAILABLE_SLOT, or BATCH_NEVER_REGISTERED on expiry). */
  excess: number
  failed: number
  /** Validation failures ELS dropped because it did not know the batch (naive). */
  lost: number
  /** Pending rows that expired. */
  expired: number
  /** BatchEssaysReady ELS wrote: 1 is right, 0 is not ready yet, 2 or more is a double. */
  ready: number
}

export interface StepState {
  /** The index of the last event applied (-1: none yet). */
  index: number
  /** Virtual time of that event (0 before any). */
  t: Micros
  /** Every batch seen so far, b1, b2, ..., b10 in natural order. */
  batches: BatchState[]
  /** The batch the event at `index` concerns, when it names or implies one. */
  focus: string | undefined
}

type Handled = Extract<TraceEvent, {ev: 'handled'}>

const FILE_TYPES: readonly string[] = [TOPICS.essayContentProvisioned, TOPICS.essayValidationFailed]

const count = (list: readonly string[], type: string): number => list.filter((t) => t === type).length

function emptyBatch(batchId: string): BatchState {
  return {
    batchId,
    bosRegistered: false,
    expected: 0,
    uploads: 0,
    refused: 0,
    committed: 0,
    invalid: 0,
    registrationPublished: false,
    filesPublished: 0,
    elsRegistered: false,
    slots: 0,
    assigned: 0,
    buffered: 0,
    excess: 0,
    failed: 0,
    lost: 0,
    expired: 0,
    ready: 0,
  }
}

/** Folds a trace one event at a time; `stateAt` is its snapshot. */
class StateFold {
  private readonly batches = new Map<string, BatchState>()
  /** Outbox row id -> batch, per outbox (BOS and the File Service number their rows separately). */
  private readonly bosRows = new Map<number, string>()
  private readonly fileRows = new Map<number, string>()
  private readonly files = new Map<string, string>()
  private readonly filesPublished = new Map<string, Set<number>>()
  /** What ELS holds pending per batch, by kind (a drain counts buffered failures as failed). */
  private readonly pending = new Map<string, {content: Set<string>; failure: Set<string>}>()

  batch(batchId: string): BatchState {
    let state = this.batches.get(batchId)
    if (!state) {
      state = emptyBatch(batchId)
      this.batches.set(batchId, state)
    }
    return state
  }

  private pendingOf(batchId: string): {content: Set<string>; failure: Set<string>} {
    let pending = this.pending.get(batchId)
    if (!pending) {
      pending = {content: new Set(), failure: new Set()}
      this.pending.set(batchId, pending)
    }
    return pending
  }

  private syncBuffered(batchId: string): void {
    const pending = this.pendingOf(batchId)
    this.batch(batchId).buffered = pending.content.size + pending.failure.size
  }

  /** The batch an event concerns, if the trace so far tells. */
  batchOf(event: TraceEvent): string | undefined {
    switch (event.ev) {
      case 'batch-registered':
      case 'upload-accepted':
      case 'upload-refused':
      case 'file-committed':
      case 'expired':
        return event.batch
      case 'handled':
        return 'batchId' in event.outcome ? event.outcome.batchId : undefined
      case 'published':
        if (event.type === TOPICS.batchEssaysRegistered) return this.bosRows.get(event.row) ?? event.key
        if (FILE_TYPES.includes(event.type)) return this.fileRows.get(event.row) ?? this.files.get(event.key) ?? event.key
        return event.key
      case 'crashed':
        return event.batch
      case 'publish-failed':
      case 'publish-given-up':
      case 'relay-crashed':
        return event.svc.startsWith('bos') ? this.bosRows.get(event.row) : event.svc.startsWith('file') ? this.fileRows.get(event.row) : undefined
      default:
        return undefined
    }
  }

  apply(event: TraceEvent): void {
    switch (event.ev) {
      case 'batch-registered': {
        const batch = this.batch(event.batch)
        batch.bosRegistered = true
        batch.expected = event.essays
        this.bosRows.set(event.row, event.batch)
        return
      }
      case 'upload-accepted':
        // An upload sent again after a File Service crash is still one upload.
        if (!this.files.has(event.file)) this.batch(event.batch).uploads++
        this.files.set(event.file, event.batch)
        return
      case 'upload-refused':
        this.batch(event.batch).refused++
        return
      case 'file-committed': {
        const batch = this.batch(event.batch)
        batch.committed++
        if (event.outcome === 'failed') batch.invalid++
        this.fileRows.set(event.row, event.batch)
        this.files.set(event.file, event.batch)
        return
      }
      case 'published': {
        const batchId = this.batchOf(event)
        if (batchId === undefined) return
        if (event.type === TOPICS.batchEssaysRegistered) {
          this.batch(batchId).registrationPublished = true
        } else if (FILE_TYPES.includes(event.type)) {
          // A relay that crashed after the ack publishes the same row again: count rows, not sends.
          const rows = this.filesPublished.get(batchId) ?? new Set<number>()
          rows.add(event.row)
          this.filesPublished.set(batchId, rows)
          this.batch(batchId).filesPublished = rows.size
        }
        return
      }
      case 'handled':
        this.applyHandled(event)
        return
      case 'expired': {
        const batch = this.batch(event.batch)
        const pending = this.pendingOf(event.batch)
        batch.expired++
        if (event.kind === 'content') {
          // Expired content is reported: ELS writes ExcessContentProvisioned(BATCH_NEVER_REGISTERED).
          batch.excess++
          pending.content.delete(event.ref)
        } else {
          pending.failure.delete(event.ref)
        }
        this.syncBuffered(event.batch)
        return
      }
      default:
        return
    }
  }

  private applyHandled(event: Handled): void {
    const outcome = event.outcome
    if (!('batchId' in outcome)) return
    const batch = this.batch(outcome.batchId)
    // What ELS wrote to its outbox in the handling transaction counts its assignments, excess
    // reports and readiness, also for content drained from the buffer by a registration.
    batch.assigned += count(event.emitted, TOPICS.essaySlotAssigned)
    batch.excess += count(event.emitted, TOPICS.excessContentProvisioned)
    batch.ready += count(event.emitted, TOPICS.batchEssaysReady)
    switch (outcome.kind) {
      case 'registered': {
        batch.elsRegistered = true
        batch.slots = outcome.slots
        // The registration drains every pending row of the batch in the same transaction.
        const pending = this.pendingOf(outcome.batchId)
        batch.failed += pending.failure.size
        pending.content.clear()
        pending.failure.clear()
        this.syncBuffered(outcome.batchId)
        return
      }
      case 'already-registered':
        batch.elsRegistered = true
        return
      case 'handler':
        // A user's handler: what it emitted is counted above; its tables are its own.
        if (outcome.call === 'onRegistered') batch.elsRegistered = true
        return
      case 'failure-counted':
        batch.failed++
        return
      case 'failure-lost':
        batch.lost++
        return
      case 'buffered': {
        const pending = this.pendingOf(outcome.batchId)
        ;(event.type === TOPICS.essayValidationFailed ? pending.failure : pending.content).add(outcome.ref)
        this.syncBuffered(outcome.batchId)
        return
      }
      default:
        return
    }
  }

  snapshot(): BatchState[] {
    return [...this.batches.values()]
      .map((batch) => ({...batch}))
      .sort((a, b) => a.batchId.localeCompare(b.batchId, 'en', {numeric: true}))
  }
}

/**
 * The state of every batch after the events `0..index` of a trace (inclusive): what BOS
 * registered, what the File Service committed, what the relays published and what ELS did so
 * far. `index` -1 is the state before the first event; an index past the end is the final state.
 */
export function stateAt(trace: readonly TraceEvent[], index: number): StepState {
  const last = Math.min(index, trace.length - 1)
  const fold = new StateFold()
  for (let i = 0; i <= last; i++) fold.apply(trace[i])
  return {
    index: last,
    t: last >= 0 ? trace[last].t : 0,
    batches: fold.snapshot(),
    focus: last >= 0 ? fold.batchOf(trace[last]) : undefined,
  }
}

/** The one-word readiness of a batch: `ready`, `no`, or `READY x2` when ELS said so twice. */
export function readiness(batch: BatchState): string {
  if (batch.ready === 0) return 'no'
  return batch.ready === 1 ? 'ready' : `READY x${batch.ready}`
}
