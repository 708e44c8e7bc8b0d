// Post-fix bug 7 (docs/domain.md#post-fix-bugs): early validation failures dropped.
//
// What goes wrong: early content is buffered, but a validation failure for a batch ELS does not
// know yet is not: it is dropped. The batch then never counts that file, assigned + failed never
// reaches the expected count, and it never completes: `verify --ci` fails with ready-exactly-once
// (the validation-failure scenario). racelab cannot read a handler's failure counts, so the
// no-lost-content finding the built-in variant also gets is not made here (docs/handlers.md).
import type {ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class DroppedEarlyFailure extends BufferHandler {
  protected override bufferFailure(): void {}
}

export default {migrate, create: (config) => new DroppedEarlyFailure(config)} satisfies ElsHandlerDefinition
