import type Database from 'better-sqlite3'

interface Made {
  /** The `db.transaction` it was made with: a new one (CommitBoundaries installs its own) makes it anew. */
  maker: Database.Database['transaction']
  transaction: (...args: unknown[]) => unknown
  body: (...args: unknown[]) => unknown
}

const made = new WeakMap<Database.Database, Map<string, Made>>()

/**
 * `db.transaction(body)`, made once per database and `kind` and reused by every service object
 * over it. Making a transaction function costs better-sqlite3 more than running one (four
 * wrappers, each given its properties), and pooled databases (service-db.ts) outlive the
 * services built over them each run. The call runs `body` in the transaction exactly as
 * `db.transaction(body)(...)` would: the same BEGIN, COMMIT, ROLLBACK and savepoints, through
 * whatever `db.transaction` is installed (the crash points' commit reports, CommitBoundaries).
 *
 * `kind` names one use (one SQL text per statement, one kind per transaction body): two bodies
 * of one kind over one database take turns, so each call says which body it runs.
 */
export function reusedTransaction<A extends unknown[], R>(db: Database.Database, kind: string, body: (...args: A) => R): (...args: A) => R {
  let byKind = made.get(db)
  if (byKind === undefined) {
    byKind = new Map()
    made.set(db, byKind)
  }
  let entry = byKind.get(kind)
  if (entry === undefined || entry.maker !== db.transaction) {
    const fresh: Made = {maker: db.transaction, transaction: () => undefined, body: body as (...args: unknown[]) => unknown}
    fresh.transaction = db.transaction((...args: unknown[]) => fresh.body(...args))
    byKind.set(kind, fresh)
    entry = fresh
  }
  const reused = entry
  return (...args: A): R => {
    // Set on every call: another object of the same kind may have run its own body since.
    const outer = reused.body
    reused.body = body as (...args: unknown[]) => unknown
    try {
      return reused.transaction(...args) as R
    } finally {
      reused.body = outer
    }
  }
}
