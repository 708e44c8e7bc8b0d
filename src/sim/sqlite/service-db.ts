import {closeSync, existsSync, lstatSync, mkdirSync, openSync, readSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import Database from 'better-sqlite3'

import {InputError} from '../input-error.js'

export type ServiceName = 'bos' | 'file' | 'els'

/**
 * SQLite's application id for a database racelab created ('RCLB'): the proof `--db` needs
 * before it replaces a file, so a user's own `file.sqlite` is never touched.
 */
export const RACELAB_APPLICATION_ID = 0x52434c42

/**
 * Creating a database and preparing its statements costs more than a whole simulated run, so
 * in-memory databases are kept per schema and handed out again emptied (every table cleared,
 * AUTOINCREMENT counters reset): a run still starts from empty tables, byte for byte.
 */
const idle = new Map<string, Database.Database[]>()
const schemaOf = new WeakMap<Database.Database, string>()
/** PRAGMA schema_version right after creation: a database whose schema changed since is not reused. */
const versionOf = new WeakMap<Database.Database, number>()
/**
 * Each pooled database's reset, prepared once: its tables are read at the first reset (the schema
 * cannot change unseen: the version check above), so no reset reads sqlite_master, builds an SQL
 * text or looks a statement up.
 */
interface Reset {
  begin: Database.Statement
  deletes: readonly Database.Statement[]
  commit: Database.Statement
  rollback: Database.Statement
}
const resetOf = new WeakMap<Database.Database, Reset>()
// Prepared once per database (db.pragma prepares its statement on every call).
const schemaVersionOf = new WeakMap<Database.Database, Database.Statement>()
function schemaVersion(db: Database.Database): number {
  let read = schemaVersionOf.get(db)
  if (read === undefined) {
    read = db.prepare('PRAGMA schema_version').pluck()
    schemaVersionOf.set(db, read)
  }
  return read.get() as number
}
const tableNames = (db: Database.Database): string[] => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
function emptied(db: Database.Database): Database.Database {
  let reset = resetOf.get(db)
  if (reset === undefined) {
    reset = {
      begin: db.prepare('BEGIN'),
      deletes: tableNames(db).map((table) => db.prepare(`DELETE FROM "${table}"`)),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    }
    resetOf.set(db, reset)
  }
  // One transaction of prepared statements; db.transaction() would build its wrapper anew each time.
  reset.begin.run()
  try {
    for (const clear of reset.deletes) clear.run()
    reset.commit.run()
  } catch (error) {
    if (db.inTransaction) reset.rollback.run()
    throw error
  }
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
 * A file left by an earlier racelab run is replaced (the simulation always starts from empty
 * tables); any other file in its place is refused, never deleted.
 */
export function openServiceDb(service: ServiceName, schema: string, dir?: string, migration?: Migration): Database.Database {
  let db: Database.Database
  if (dir === undefined) {
    const key = migration === undefined ? schema : `${schema}\n-- migrated by ${migration.key}`
    const reused = idle.get(key)?.pop()
    if (reused) return reused
    db = new Database(':memory:')
    db.exec(schema)
    migrate(db, migration)
    // A migration that inserted rows would lose them when the database is emptied for reuse.
    if (migration !== undefined && rowCount(db) > 0) return db
    schemaOf.set(db, key)
    versionOf.set(db, schemaVersion(db))
    return db
  } else {
    if (dir === '') throw new InputError('--db: an empty path; name a directory (racelab creates it)')
    if (!existsSync(dir)) mkdirSync(dir, {recursive: true})
    const path = join(dir, `${service}.sqlite`)
    refuseUnlessOurs(path)
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, {force: true})
    db = new Database(path)
    db.pragma(`application_id = ${RACELAB_APPLICATION_ID}`)
    db.pragma('journal_mode = WAL')
  }
  db.exec(schema)
  migrate(db, migration)
  return db
}

function migrate(db: Database.Database, migration: Migration | undefined): void {
  try {
    migration?.run(db)
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * A schema a service's own code creates after racelab's (a user's ELS handler's `migrate`).
 * `key` names it: a pooled in-memory database is handed out again, emptied, only to the same key.
 */
export interface Migration {
  key: string
  run: (db: Database.Database) => void
}

function rowCount(db: Database.Database): number {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'").pluck().all() as string[]
  return tables.reduce((sum, table) => sum + (db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number), 0)
}

/**
 * Throws unless `path` (and its -wal, -shm and -journal siblings) is absent or a database racelab
 * made: a regular file whose header carries RACELAB_APPLICATION_ID. Reads the 100-byte header
 * only, so a huge or hostile file costs nothing.
 */
function refuseUnlessOurs(path: string): void {
  const kind = (p: string): 'absent' | 'file' | 'other' => {
    try {
      return lstatSync(p).isFile() ? 'file' : 'other'
    } catch {
      return 'absent'
    }
  }
  const main = kind(path)
  if (main === 'other') throw new InputError(`--db: ${path} exists and is not a regular file; racelab will not replace it`)
  if (main === 'absent') {
    for (const suffix of ['-wal', '-shm', '-journal']) {
      if (kind(path + suffix) !== 'absent') throw new InputError(`--db: ${path + suffix} exists without the database racelab would have made; racelab will not delete it`)
    }
    return
  }
  if (!isRacelabDatabase(path)) {
    throw new InputError(`--db: ${path} exists and racelab did not create it; racelab only replaces its own databases (move it away or choose another directory)`)
  }
}

function isRacelabDatabase(path: string): boolean {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const header = Buffer.alloc(100)
    if (readSync(fd, header, 0, 100, 0) < 100) return false
    // The SQLite header: the magic string, and the application id at offset 68, big-endian.
    return header.toString('latin1', 0, 16) === 'SQLite format 3\u0000' && header.readUInt32BE(68) === RACELAB_APPLICATION_ID
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
