import type Database from 'better-sqlite3'

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/** A prepared statement of `db`, prepared once per database. Each SQL text has one use. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db)
  if (!cache) {
    cache = new Map()
    statements.set(db, cache)
  }
  let prepared = cache.get(sql)
  if (!prepared) {
    prepared = db.prepare(sql)
    cache.set(sql, prepared)
  }
  return prepared
}

