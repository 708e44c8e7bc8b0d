import {createHash} from 'node:crypto'

import type Database from 'better-sqlite3'

import type {Task} from '../../kernel/simulation.js'
import type {RunParts} from '../../simulated/run-simulation.js'

/** An envelope's timestamp: when it was built drives nothing that follows. */
const EVENT_TIMESTAMP = /"event_timestamp":"[^"]*"/g

/** Columns that hold a time that still drives what happens: a buffered row's age decides its expiry. */
const LIVE_TIMES: ReadonlySet<string> = new Set(['stored_at'])

/**
 * The state of a running simulation between two steps, as one hash (docs/architecture.md#explore):
 * the rows of the three databases, the broker (messages, offsets, members), the steps still
 * scheduled (each by its label, at its time relative to now), and each process's own state (a
 * relay's queue and idle polling, an ELS instance's restarts and metrics, a member's fetch).
 *
 * Times are relative to now, and a time in the past that drives nothing is only there or not
 * (`published_at`, `registered_at`, an envelope's timestamp): two runs that reach the same rows,
 * messages and pending steps, however long each step took to get there, go on alike. What they
 * do not share is when earlier things happened; the invariants that read that (liveness's bound)
 * are judged on the run that got there first.
 */
export class RunStateHasher {
  private readonly databases: DatabaseDigest[]

  constructor(private readonly parts: RunParts) {
    // The schema is fixed once the run is wired (a handler's migration ran): read it once per run.
    // (A simulated run always runs ELS: only a live black-box run has no ELS database.)
    const dbs = [parts.wired.bos.db, parts.wired.files.db, ...(parts.wired.elsDb ? [parts.wired.elsDb] : [])]
    this.databases = dbs.map((db) => ({
      tables: tablesOf(db),
      changes: db.prepare('SELECT total_changes() AS n').pluck(),
      seen: -1,
      digest: '',
      live: false,
    }))
  }

  /** The state just before `running` runs (popped already: the other steps are pending). */
  hash(running: Task): string {
    const now = this.parts.sim.now
    const hash = createHash('sha1')
    for (const db of this.databases) hash.update(digestOf(db, now))
    return runStateHash(this.parts, hash, running)
  }
}

/**
 * One database's part of the hash, kept while the database has not changed (SQLite counts the
 * rows a connection changed): most steps write one database or none. A table with a live time
 * is relative to now, so its digest is read again at every step.
 */
interface DatabaseDigest {
  tables: TableReader[]
  changes: Database.Statement
  seen: number
  digest: string
  /** It holds a live time (a buffered row): read it again at every instant. */
  live: boolean
}

function digestOf(db: DatabaseDigest, now: number): string {
  const changes = db.changes.get() as number
  if (changes === db.seen && !db.live) return db.digest
  const hash = createHash('sha1')
  db.live = hashDatabase(hash, db.tables, now)
  db.seen = changes
  db.digest = hash.digest('base64')
  return db.digest
}

function runStateHash(parts: RunParts, hash: ReturnType<typeof createHash>, running: Task): string {
  const {sim, bus, wired, members} = parts
  const now = sim.now
  hash.update(bus.fingerprint(now, (value) => value.replace(EVENT_TIMESTAMP, '')))
  const label = (task: Task): string => task.label ?? `?${task.seq}`
  // The step about to run is part of the state: at a tie, which one goes first was just chosen.
  const steps = sim.pending().map((task) => `${task.time - now} ${label(task)}`).sort()
  hash.update(`running ${label(running)}\n${steps.join('\n')}`)
  for (const relay of wired.relays) hash.update(relay.fingerprint(now))
  for (const loop of wired.loops) hash.update(loop.fingerprint())
  for (const member of members) hash.update(member.fingerprint())
  for (const instance of wired.instances) hash.update(JSON.stringify(instance.metrics ?? null))
  return hash.digest('base64')
}

interface TableReader {
  statement: Database.Statement
  /** Per column: how a value goes into the hash. */
  columns: ((value: unknown, now: number) => unknown)[]
  /** Some column holds a live time. */
  live: boolean
}

/** Hashes every row; true when a row holds a live time (the digest depends on now). */
function hashDatabase(hash: ReturnType<typeof createHash>, tables: readonly TableReader[], now: number): boolean {
  let live = false
  for (const {statement, columns, live: timed} of tables) {
    const rows = statement.raw().all() as unknown[][]
    if (timed && rows.length > 0) live = true
    for (const row of rows) hash.update(JSON.stringify(row.map((value, i) => columns[i](value, now))))
    hash.update('|')
  }
  return live
}

const readers = new WeakMap<Database.Database, {schema: string; tables: TableReader[]}>()

/** The tables of a database; pooled databases are reused across runs, so their statements are kept per schema. */
function tablesOf(db: Database.Database): TableReader[] {
  const schema = (db.prepare("SELECT group_concat(name, ',') AS names FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)").get() as {names: string | null}).names ?? ''
  const known = readers.get(db)
  if (known && known.schema === schema) return known.tables
  const tables = schema === '' ? [] : schema.split(',').map((name) => tableReader(db, name))
  readers.set(db, {schema, tables})
  return tables
}

function tableReader(db: Database.Database, name: string): TableReader {
  const statement = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`)
  const columns = statement.columns().map(({name: column}) => {
    if (LIVE_TIMES.has(column)) return (value: unknown, now: number) => (typeof value === 'number' ? now - value : value)
    if (column.endsWith('_at')) return (value: unknown) => value !== null
    return (value: unknown) => (typeof value === 'string' ? value.replace(EVENT_TIMESTAMP, '') : value)
  })
  return {statement, columns, live: statement.columns().some(({name: column}) => LIVE_TIMES.has(column))}
}
