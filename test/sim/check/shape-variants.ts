import type Database from 'better-sqlite3'

import {RELAY_BATCH_SIZE} from '../../../src/sim/outbox/outbox.js'
import {Els} from '../../../src/sim/services/els.js'
import type {PendingRow} from '../../../src/sim/services/pending-content.js'

/**
 * Broken consumers that only a shape reveals: each holds on the one small batch per cell the
 * matrix used to have.
 */

/**
 * Drains one page of pending rows, 100 like a relay poll, at registration: the rest stay in
 * pending_content, never reconciled, and expire as BATCH_NEVER_REGISTERED for a batch BOS did
 * commit. Only a batch with more than 100 early contents shows it.
 */
export class CappedDrainEls extends Els {
  protected override takePending(batchId: string): PendingRow[] {
    const db: Database.Database = this.db
    const rows = db.prepare('SELECT * FROM pending_content WHERE batch_id = ? ORDER BY id LIMIT ?').all(batchId, RELAY_BATCH_SIZE) as PendingRow[]
    const remove = db.prepare('DELETE FROM pending_content WHERE id = ?')
    for (const row of rows) remove.run(row.id)
    return rows
  }
}
