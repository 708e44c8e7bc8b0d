// Post-fix bug 6 (docs/domain.md#post-fix-bugs): deduplication by event_id only.
//
// What goes wrong: ELS trusts processed_events alone, and essay_slots has no UNIQUE
// (batch_id, text_storage_id). The real relay re-sends a row with a NEW event_id, so the re-sent
// content passes the event check and fills a second slot. `verify --ci` fails with
// no-double-assignment (its faults block re-sends with relay-crash-after-publish).
import type {ElsDatabase, ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class EventIdOnlyDedup extends BufferHandler {
  protected override holder(): string | undefined {
    return undefined
  }
}

/** The fix's schema, without the content uniqueness the fix relies on. */
function migrateWithoutContentKey(db: ElsDatabase): void {
  migrate(db)
  db.exec(`
    CREATE TABLE slots_without_key (essay_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, slot_index INTEGER NOT NULL, text_storage_id TEXT);
    DROP TABLE essay_slots;
    ALTER TABLE slots_without_key RENAME TO essay_slots;
  `)
}

export default {migrate: migrateWithoutContentKey, create: (config) => new EventIdOnlyDedup(config)} satisfies ElsHandlerDefinition
