// Post-fix bug 5 (docs/domain.md#post-fix-bugs): duplicate completion.
//
// What goes wrong: completion checks the counts only, not whether the batch already completed.
// A content event handled after completion (a relay re-send, with a new event_id, so the
// processed_events check lets it through) finds its slot filled, and the count still adds up: the
// batch completes again and BatchEssaysReady goes out twice. `verify --ci` fails with
// ready-exactly-once (its faults block re-sends with relay-crash-after-publish).
import type {ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class UnguardedCompletion extends BufferHandler {
  protected override mayComplete(): boolean {
    return true
  }
}

export default {migrate, create: (config) => new UnguardedCompletion(config)} satisfies ElsHandlerDefinition
