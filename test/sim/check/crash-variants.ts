import type {BusMessage} from '../../../src/sim/bus/bus.js'
import type {ElsHandled} from '../../../src/sim/consumer/handled.js'
import type {Delivery} from '../../../src/sim/consumer/input-consumer.js'
import {parseEnvelope, type DataOf} from '../../../src/sim/domain/events.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import type {Micros} from '../../../src/sim/kernel/time.js'
import {Els, type Step} from '../../../src/sim/services/els.js'
import type {PendingRow} from '../../../src/sim/services/pending-content.js'

/**
 * Broken consumers that only a crash at the right step boundary shows: without a crash each
 * behaves exactly like the buffer fix.
 */

/** Commits each offset as soon as it fetched the message (at-most-once, like an auto-committing consumer). */
export class CommitOnFetchEls extends Els {
  readonly offsetCommit = 'on-fetch' as const
}

/**
 * Registers a batch (tracker and slots) in one transaction and drains its buffer in a second:
 * a crash between the two leaves a registered batch whose pending rows nobody drains (the
 * redelivered registration finds the tracker and does nothing), so they expire.
 */
export class SecondTransactionDrainEls extends Els {
  private readonly drainTx: (batchId: string, correlationId: string, now: Micros) => Step
  private registering = false

  constructor(...args: ConstructorParameters<typeof Els>) {
    super(...args)
    this.drainTx = this.db.transaction((batchId: string, correlationId: string, now: Micros) => {
      const step: Step = {emitted: [], completed: false}
      for (const row of this.pending.drain(batchId)) {
        if (row.kind === 'content') this.assign(JSON.parse(row.payload) as DataOf<typeof TOPICS.essayContentProvisioned>, correlationId, now, step)
        else this.stmt.insertFailure.run(batchId, row.ref, now)
      }
      this.completeIfDone(batchId, correlationId, now, step)
      return step
    })
  }

  /** The first transaction drains nothing. */
  protected override takePending(batchId: string): PendingRow[] {
    return this.registering ? [] : super.takePending(batchId)
  }

  override handle(message: BusMessage | Delivery, now: Micros): ElsHandled {
    this.registering = true
    let handled: ElsHandled
    try {
      handled = super.handle(message, now)
    } finally {
      this.registering = false
    }
    if (handled.outcome.kind !== 'registered') return handled
    const parsed = 'envelope' in message ? message.envelope : parseEnvelope(message.value)
    const correlationId = parsed.ok ? parsed.envelope.correlation_id : `corr-${handled.outcome.batchId}`
    const step = this.drainTx(handled.outcome.batchId, correlationId, now)
    return {...handled, emitted: [...handled.emitted, ...step.emitted], completed: handled.completed || step.completed}
  }
}
