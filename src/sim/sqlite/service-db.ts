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
/** Databases whose schema is racelab's alone (no user's migration): their reset is one statement. */
const ownSchema = new WeakSet<Database.Database>()
/**
 * Each pooled database's reset, made at its first reset: it empties the database and answers
 * false, leaving it untouched, when the schema changed since it was made (then it is closed). Its
 * tables are read once (the schema cannot change unseen: the version check).
 */
type Reset = () => boolean
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
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** The temporary table whose insert empties a database of racelab's schema (see installPoolReset). */
const RESET_TABLE = 'racelab_pool_reset'

/**
 * Gives `db` its one-statement reset: a TEMP table whose AFTER INSERT trigger deletes every row of
 * every table of the main schema (sqlite_sequence too: AUTOINCREMENT restarts). The insert that
 * fires it (`triggeredReset`) inserts only while PRAGMA schema_version is still the one the
 * database was made with. One statement in autocommit is one transaction, so it empties all or
 * nothing; it replaces a schema-version read, BEGIN, a DELETE per table and COMMIT (3 + tables
 * statements, each a crossing into SQLite) with one. TEMP objects live outside the main schema:
 * its schema_version and sqlite_master never see them. Exported for the SQLite floor's copies of
 * the databases, which replay the same insert.
 */
export function installPoolReset(db: Database.Database): void {
  const clears = tableNames(db).map((table) => `DELETE FROM main.${quoted(table)};`)
  db.exec(
    `CREATE TEMP TABLE ${RESET_TABLE} (schema_version INTEGER);
     CREATE TEMP TRIGGER ${RESET_TABLE}_clears AFTER INSERT ON ${RESET_TABLE} BEGIN ${clears.join(' ')} DELETE FROM temp.${RESET_TABLE}; END;`,
  )
}

function triggeredReset(db: Database.Database, version: number): Reset {
  installPoolReset(db)
  const fire = db.prepare(`INSERT INTO temp.${RESET_TABLE} SELECT schema_version FROM main.pragma_schema_version WHERE schema_version = ?`)
  return () => fire.run(version).changes === 1
}

/**
 * A database a user's migration shaped keeps statement-by-statement deletes, prepared once: its
 * tables may be virtual ones with shadow tables, which racelab does not touch from a trigger.
 */
function preparedReset(db: Database.Database, version: number): Reset {
  const begin = db.prepare('BEGIN')
  const deletes = tableNames(db).map((table) => db.prepare(`DELETE FROM ${quoted(table)}`))
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  return () => {
    if (schemaVersion(db) !== version) return false
    // One transaction of prepared statements; db.transaction() would build its wrapper anew each time.
    begin.run()
    try {
      for (const clear of deletes) clear.run()
      commit.run()
    } catch (error) {
      if (db.inTransaction) rollback.run()
      throw error
    }
    return true
  }
}

/** Empties a pooled database for its next run; false: its schema changed, it must not be reused. */
function emptied(db: Database.Database, version: number): boolean {
  let reset = resetOf.get(db)
  if (reset === undefined) {
    // The first reset reads the tables: only of the schema the database was made with.
    if (schemaVersion(db) !== version) return false
    reset = ownSchema.has(db) ? triggeredReset(db, version) : preparedReset(db, version)
    resetOf.set(db, reset)
  }
  return reset()
}

/** Closes a service database, or returns an in-memory one to the pool for the next run. */
export function closeServiceDb(db: Database.Database): void {
  const schema = schemaOf.get(db)
  const version = versionOf.get(db)
  if (schema === undefined || version === undefined || !db.open) {
    if (db.open) db.close()
    return
  }
  // Rolled back first: a schema change the run left uncommitted is gone with it.
  if (db.inTransaction) db.exec('ROLLBACK')
  if (!emptied(db, version)) {
    db.close()
    return
  }
  let pool = idle.get(schema)
  if (!pool) {
    pool = []
    idle.set(schema, pool)
  }
  pool.push(db)
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
    if (migration === undefined) ownSchema.add(db)
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
