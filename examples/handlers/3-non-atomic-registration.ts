// Post-fix bug 3 (docs/domain.md#post-fix-bugs): non-atomic registration.
//
// What goes wrong: slot creation is wrapped in a try/catch that logs and carries on, so a database
// error midway (the register-db-error fault) does not roll the registration back: the transaction
// commits the tracker and the processed event without slots. Every content of the batch then finds
// no free slot and is reported excess, and the batch never completes: `verify --ci` fails with
// no-false-excess and ready-exactly-once (its faults block injects register-db-error).
import type {BatchEssaysRegistered, ElsContext, ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class NonAtomicRegistration extends BufferHandler {
  override onRegistered(event: BatchEssaysRegistered, ctx: ElsContext): void {
    if (!this.firstDelivery(event.event_id, ctx)) return
    const {batch_id: batch, essay_ids: essays, expected_essay_count: expected} = event.data
    if (this.tracker(batch, ctx) !== undefined) return
    ctx.db.prepare('INSERT INTO batch_trackers (batch_id, expected_count) VALUES (?, ?)').run(batch, expected)
    try {
      const slot = ctx.db.prepare('INSERT INTO essay_slots (essay_id, batch_id, slot_index) VALUES (?, ?, ?)')
      essays.forEach((essay, index) => slot.run(essay, batch, index))
    } catch {
      // "Logged": the bug. Rethrowing would roll the whole registration back and retry it.
    }
    this.drain(batch, ctx)
    this.completeIfDone(batch, ctx)
  }
}

export default {migrate, create: (config) => new NonAtomicRegistration(config)} satisfies ElsHandlerDefinition
