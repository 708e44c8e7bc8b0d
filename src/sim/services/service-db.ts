import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {OUTBOX_SCHEMA} from '../outbox/outbox.js'

export type ServiceName = 'bos' | 'file' | 'els'

/**
 * Opens one service's own database: in memory by default (cheap: a run creates three), or
 * `<dir>/<service>.sqlite` so a developer can open it with the sqlite3 shell after the run.
 * A file left by an earlier run is replaced: the simulation always starts from empty tables.
 */
export function openServiceDb(service: ServiceName, schema: string, dir?: string): Database.Database {
  let db: Database.Database
  if (dir === undefined) {
    db = new Database(':memory:')
  } else {
    if (!existsSync(dir)) mkdirSync(dir, {recursive: true})
    const path = join(dir, `${service}.sqlite`)
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, {force: true})
    db = new Database(path)
    db.pragma('journal_mode = WAL')
  }
  db.exec(schema + OUTBOX_SCHEMA)
  return db
}
