import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {statement} from './statements.js'

export type ServiceName = 'bos' | 'file' | 'els'

/**
 * Creating a database and preparing its statements costs more than a whole simulated run, so
 * in-memory databases are kept per schema and handed out again emptied (every table cleared,
 * AUTOINCREMENT counters reset): a run still starts from empty tables, byte for byte.
 */
const idle = new Map<string, Database.Database[]>()
const schemaOf = new WeakMap<Database.Database, string>()
/** PRAGMA schema_version right after creation: a database whose schema changed since is not reused. */
const versionOf = new WeakMap<Database.Database, number>()
const schemaVersion = (db: Database.Database): number => db.pragma('schema_version', {simple: true}) as number
function emptied(db: Database.Database): Database.Database {
  const tables = statement(db, "SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
  db.transaction(() => {
    for (const table of tables) statement(db, `DELETE FROM "${table}"`).run()
  })()
  return db
}

/** Closes a service database, or returns an in-memory one to the pool for the next run. */
export function closeServiceDb(db: Database.Database): void {
  const schema = schemaOf.get(db)
  if (schema === undefined || !db.open || schemaVersion(db) !== versionOf.get(db)) {
    if (db.open) db.close()
    return
  }
  if (db.inTransaction) db.exec('ROLLBACK')
  let pool = idle.get(schema)
  if (!pool) {
    pool = []
    idle.set(schema, pool)
  }
  pool.push(emptied(db))
}

/**
 * Opens one service's own database, with `schema` (its tables and its outbox's): in memory by default (pooled, see above), or
 * `<dir>/<service>.sqlite` so a developer can open it with the sqlite3 shell after the run.
 * A file left by an earlier run is replaced: the simulation always starts from empty tables.
 */
export function openServiceDb(service: ServiceName, schema: string, dir?: string): Database.Database {
  let db: Database.Database
  if (dir === undefined) {
    const reused = idle.get(schema)?.pop()
    if (reused) return reused
    db = new Database(':memory:')
    db.exec(schema)
    schemaOf.set(db, schema)
    versionOf.set(db, schemaVersion(db))
    return db
  } else {
    if (!existsSync(dir)) mkdirSync(dir, {recursive: true})
    const path = join(dir, `${service}.sqlite`)
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, {force: true})
    db = new Database(path)
    db.pragma('journal_mode = WAL')
  }
  db.exec(schema)
  return db
}
