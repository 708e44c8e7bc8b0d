// Post-fix bug 1 (docs/domain.md#post-fix-bugs): the buffer kept in process memory.
//
// What goes wrong: early content waits in a Map of this handler instance, not in the database.
// A restart (a new handler from create) loses it, and with several ELS instances the registration
// may reach another instance, whose Map is empty. The content is never assigned nor reported, and
// the batch never completes: `verify --ci` fails with no-lost-content and ready-exactly-once
// (its "every fault, 3 ELS instances" block restarts instances and spreads partitions).
import type {ElsContext, ElsHandlerDefinition} from 'racelab'

import {BufferHandler, migrate} from './buffer.js'

class InMemoryBuffer extends BufferHandler {
  private readonly memory = new Map<string, {kind: 'content' | 'failure'; ref: string; data: object}[]>()

  protected override buffer(batch: string, kind: 'content' | 'failure', ref: string, data: object): void {
    const rows = this.memory.get(batch) ?? []
    if (!rows.some((row) => row.ref === ref)) rows.push({kind, ref, data})
    this.memory.set(batch, rows)
  }

  protected override drain(batch: string, ctx: ElsContext): void {
    for (const row of this.memory.get(batch) ?? []) {
      if (row.kind === 'content') this.assign(row.data as Parameters<BufferHandler['assign']>[0], ctx)
      else ctx.db.prepare('INSERT OR IGNORE INTO failed_uploads (batch_id, file_upload_id) VALUES (?, ?)').run(batch, row.ref)
    }
    this.memory.delete(batch)
  }
}

export default {migrate, create: (config) => new InMemoryBuffer(config)} satisfies ElsHandlerDefinition
