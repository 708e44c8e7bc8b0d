import type {BusMessage} from '../bus/bus.js'
import type {Unjudged} from '../check/black-box-limits.js'
import {TOPICS} from '../domain/topics.js'
import {SECOND, type Micros} from '../kernel/time.js'
import type {Scenario} from '../scenario/scenario.js'

/** ELS's output topics: what a consumer that runs elsewhere answers on. */
export const ELS_OUTPUT_TOPICS: readonly string[] = [TOPICS.essaySlotAssigned, TOPICS.excessContentProvisioned, TOPICS.batchEssaysReady]

/** How long the outputs must stay quiet once every expected answer came, for duplicates to show. */
export const ANSWER_SETTLE: Micros = SECOND
/** How long racelab waits for a consumer's next answer once its own inputs are all published. */
export const ANSWER_WAIT: Micros = 5 * SECOND
/** A pending timeout up to this long is waited for as well (its expiries are answers too). */
const WAITED_PENDING_TIMEOUT: Micros = 20 * SECOND

/** `racelab run --els external`: what racelab watched, what answered, and what it could not judge. */
export interface BlackBoxReport {
  /** Prepended to this run's batch ids, so that its records are told from any other run's. */
  batchPrefix: string
  /** The input topics racelab published to, as named on the wire. */
  published: string[]
  /** ELS's output topics racelab watched, as named on the wire. */
  watched: string[]
  /** ELS records of this run's batches racelab read. */
  answered: number
  /** How long racelab waited for a next answer (seconds). */
  answerWaitSeconds: number
  /** Invariants the topics cannot show, in full or in part, and why. */
  notJudged: Unjudged[]
}

/**
 * The observer's side of a black-box run: which records belong to this run (their batch id carries
 * the run's prefix; a malformed record on an output topic that names no batch is kept, since it may
 * be the consumer's), whether the consumer answered and when it last did, and whether every answer
 * the ground truth calls for has come (a Ready for every complete batch, an assignment or an excess
 * report for every valid content).
 */
export class BlackBoxWatch {
  /** ELS records of this run read so far. */
  answered = 0
  /** When the last of them was read (run clock). */
  lastAnswerAt: Micros = 0
  /** ELS's records carried an outbox_row header (their commit order can be judged). */
  rowsNamed = false
  readonly wait: Micros
  private readonly output = new Set(ELS_OUTPUT_TOPICS)
  private readonly settled = new Set<string>()
  private readonly ready = new Set<string>()

  constructor(
    readonly batchPrefix: string,
    scenario: Pick<Scenario, 'pendingTimeout'>,
  ) {
    this.wait = ANSWER_WAIT + (scenario.pendingTimeout <= WAITED_PENDING_TIMEOUT ? scenario.pendingTimeout : 0)
  }

  /** Whether `message` belongs to this run; an answer of the consumer is counted at `now`. */
  accept(message: BusMessage, now: Micros): boolean {
    const data = dataOf(message.value)
    const batch = typeof data?.batch_id === 'string' ? data.batch_id : undefined
    const isOutput = this.output.has(message.topic)
    if (batch === undefined ? !isOutput : !batch.startsWith(this.batchPrefix)) return false
    if (isOutput) {
      this.answered++
      this.lastAnswerAt = now
      if (message.headers.outbox_row !== undefined) this.rowsNamed = true
      if (message.topic === TOPICS.batchEssaysReady && batch !== undefined) this.ready.add(batch)
      else if (typeof data?.text_storage_id === 'string') this.settled.add(data.text_storage_id)
    }
    return true
  }

  /** Every complete batch has a Ready and every valid content was assigned or reported excess. */
  allAnswered(
    batches: readonly {batchId: string; expectedEssays: number}[],
    uploads: readonly {batchId: string; textStorageId: string | undefined; valid: boolean}[],
  ): boolean {
    for (const upload of uploads) if (upload.valid && upload.textStorageId !== undefined && !this.settled.has(upload.textStorageId)) return false
    for (const batch of batches) {
      const files = uploads.filter((u) => u.batchId === batch.batchId).length
      if (files >= batch.expectedEssays && !this.ready.has(batch.batchId)) return false
    }
    return true
  }
}

function dataOf(value: string): {batch_id?: unknown; text_storage_id?: unknown} | undefined {
  try {
    const data = (JSON.parse(value) as {data?: unknown})?.data
    return typeof data === 'object' && data !== null ? (data as {batch_id?: unknown}) : undefined
  } catch {
    return undefined
  }
}
