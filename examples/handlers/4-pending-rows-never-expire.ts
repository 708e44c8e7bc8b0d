// Post-fix bug 4 (docs/domain.md#post-fix-bugs): pending rows never expire.
//
// What goes wrong: there is no timer, so content for a batch that never registers waits in
// pending_content forever and nobody is told. `verify --ci` sees it in the never-registered
// scenario, whose second batch never registers: the checker names no-lost-content, because the
// content was never assigned nor reported.
import type {ElsHandler, ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

/** The fix's three message calls, and no nextTimerAt/onTimer: racelab never calls a timer. */
function neverExpiring(fix: BufferHandler): ElsHandler {
  return {
    onRegistered: (event, ctx) => fix.onRegistered(event, ctx),
    onContent: (event, ctx) => fix.onContent(event, ctx),
    onValidationFailed: (event, ctx) => fix.onValidationFailed(event, ctx),
  }
}

export default {migrate, create: (config) => neverExpiring(new BufferHandler(config))} satisfies ElsHandlerDefinition
