import type Database from 'better-sqlite3'

import type {DataOf, EventType} from '../../../src/sim/domain/events.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import type {Micros} from '../../../src/sim/kernel/time.js'
import type {ElsOutcome} from '../../../src/sim/consumer/handled.js'
import {Els, type Step} from '../../../src/sim/services/els.js'

/**
 * Broken consumers that change how events RELATE, not how many there are: each writes exactly one
 * BatchEssaysReady per complete batch, so counting invariants pass them; the relating ones must not.
 */

/** Announces the batch ready as soon as it is registered, before any content has filled a slot. */
export class ReadyAtRegistrationEls extends Els {
  protected override onRegistered(
    data: DataOf<typeof TOPICS.batchEssaysRegistered>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const outcome = super.onRegistered(data, correlationId, now, step)
    const tracker = this.stmt.tracker.get(data.batch_id) as {ready_at: number | null}
    if (outcome.kind === 'registered' && tracker.ready_at === null) {
      this.stmt.markReady.run(now, data.batch_id)
      const ready = this.stmt.readyEssays.all(data.batch_id) as {essay_id: string; text_storage_id: string}[]
      this.emit(TOPICS.batchEssaysReady, data.batch_id, {batch_id: data.batch_id, ready_essays: ready}, correlationId, now, step)
      step.completed = true
    }
    return outcome
  }
}

/** Counts every validation failure twice (as a redelivered failure counted again would be). */
export class RecountedFailureEls extends Els {
  constructor(...args: ConstructorParameters<typeof Els>) {
    super(...args)
    const once = this.stmt.insertFailure
    const db: Database.Database = this.db
    const again = db.prepare('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id, recorded_at) VALUES (?, ?, ?)')
    this.stmt.insertFailure = {
      run: (batchId: string, fileUploadId: string, now: Micros) => {
        const result = once.run(batchId, fileUploadId, now)
        if (result.changes > 0) again.run(batchId, `${fileUploadId}#again`, now)
        return result
      },
    } as unknown as Database.Statement
  }
}

/** Takes the newest free slot of ANY batch: content of b1 can fill a slot of b2. */
export class AnyBatchSlotEls extends Els {
  constructor(...args: ConstructorParameters<typeof Els>) {
    super(...args)
    const db: Database.Database = this.db
    // `?` still binds the batch id, so the call sites stay as they are; the filter is gone.
    this.stmt.freeSlot = db.prepare("SELECT essay_id FROM essay_slots WHERE status = 'UPLOADED' AND ? IS NOT NULL ORDER BY rowid DESC LIMIT 1").pluck()
  }
}

/** Writes its BatchEssaysReady without `ready_essays`: a message no consumer can parse. */
export class MalformedReadyEls extends Els {
  protected override emit<T extends EventType>(type: T, batchId: string, data: DataOf<T>, correlationId: string, now: Micros, step: Step): void {
    if (type !== TOPICS.batchEssaysReady) return super.emit(type, batchId, data, correlationId, now, step)
    const {ready_essays: _dropped, ...rest} = data as DataOf<typeof TOPICS.batchEssaysReady>
    super.emit(type, batchId, rest as unknown as DataOf<T>, correlationId, now, step)
  }
}

/** Writes its BatchEssaysReady twice in the completing transaction: two rows, alike to the byte but for event_id. */
export class DoubleReadyEls extends Els {
  protected override emit<T extends EventType>(type: T, batchId: string, data: DataOf<T>, correlationId: string, now: Micros, step: Step): void {
    super.emit(type, batchId, data, correlationId, now, step)
    if (type === TOPICS.batchEssaysReady) super.emit(type, batchId, data, correlationId, now, step)
  }
}

/** Commits the completing transaction's EssaySlotAssigned rows after its BatchEssaysReady. */
export class ReadyFirstEls extends Els {
  private held: (() => void)[] = []

  protected override emit<T extends EventType>(type: T, batchId: string, data: DataOf<T>, correlationId: string, now: Micros, step: Step): void {
    if (type === TOPICS.essaySlotAssigned) {
      this.held.push(() => super.emit(type, batchId, data, correlationId, now, step))
      return
    }
    super.emit(type, batchId, data, correlationId, now, step)
    if (type === TOPICS.batchEssaysReady) this.flush()
  }

  protected override dispatch(...args: Parameters<Els['dispatch']>): ReturnType<Els['dispatch']> {
    const handled = super.dispatch(...args)
    this.flush() // still inside the message's transaction
    return handled
  }

  private flush(): void {
    for (const write of this.held.splice(0)) write()
  }
}

/** Reports the excess a registration's drain found as assigned: the dashboard hides the race. */
export class ExcessCountedAsAssignedEls extends Els {
  protected override onRegistered(
    data: DataOf<typeof TOPICS.batchEssaysRegistered>,
    correlationId: string,
    now: Micros,
    step: Step,
  ): ElsOutcome {
    const outcome = super.onRegistered(data, correlationId, now, step)
    this.metrics.reconciled.assigned += this.metrics.reconciled.excess
    this.metrics.reconciled.excess = 0
    return outcome
  }
}
