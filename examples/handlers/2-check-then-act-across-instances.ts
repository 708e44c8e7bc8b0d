// Post-fix bug 2 (docs/domain.md#post-fix-bugs): check-then-act across instances.
//
// What goes wrong: to save a query, each instance decides "is this batch registered?" from a cache
// of the registrations IT handled, then acts on that answer. With several instances, content for a
// batch another instance has already registered (and drained) is checked against a stale view and
// buffered after the drain: orphaned. It expires 24 h later as BATCH_NEVER_REGISTERED for a batch
// BOS did commit, and the batch never completes: `verify --ci` fails with no-false-excess and
// ready-exactly-once (3 ELS instances). (racelab's SQLite serialises transactions, so the stale
// view here is a cache; on another database it is a read outside the writing transaction.)
import type {BatchEssaysRegistered, ElsContext, ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class CheckThenAct extends BufferHandler {
  private readonly registered = new Set<string>()

  override onRegistered(event: BatchEssaysRegistered, ctx: ElsContext): void {
    this.registered.add(event.data.batch_id)
    super.onRegistered(event, ctx)
  }

  protected override tracker(batch: string, ctx: ElsContext) {
    return this.registered.has(batch) ? super.tracker(batch, ctx) : undefined
  }
}

export default {migrate, create: (config) => new CheckThenAct(config)} satisfies ElsHandlerDefinition
