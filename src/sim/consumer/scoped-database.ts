import type Database from 'better-sqlite3'

import {statement} from '../sqlite/statements.js'
import type {ElsDatabase, ElsStatement, SqlValue} from './els-handler.js'

/** What a handler call may do with the database: write in a message or timer call, read in `nextTimerAt`, DDL in `migrate`. */
export type Scope = 'write' | 'read' | 'migrate'

/**
 * ELS's database as a handler sees it (docs/handlers.md): valid during one call only, in that
 * call's transaction. A statement used after its call, a write from a read-only call, or `exec`
 * outside `migrate` is an error the handler sees at once. Statements are prepared once per
 * database and SQL text, as racelab's own ELS prepares them.
 */
export class ScopedDatabase implements ElsDatabase {
  private scope: Scope | undefined
  private readonly statements = new Map<string, ScopedStatement>()
  /** Called before each write statement runs (the register-db-error fault fails one here). */
  beforeWrite: (() => void) | undefined

  constructor(private readonly db: Database.Database) {}

  /** Runs `work` with the handle valid in `scope`. */
  within<T>(scope: Scope, work: () => T): T {
    const outer = this.scope
    this.scope = scope
    try {
      return work()
    } finally {
      this.scope = outer
    }
  }

  prepare(sql: string): ElsStatement {
    this.check('prepare')
    let scoped = this.statements.get(sql)
    if (!scoped) {
      scoped = new ScopedStatement(this, statement(this.db, sql))
      this.statements.set(sql, scoped)
    }
    return scoped
  }

  exec(sql: string): void {
    if (this.scope !== 'migrate') this.refuse('exec() is for migrate; in a handler call, use prepare(sql).run()')
    this.db.exec(sql)
  }

  /** @internal */
  check(what: string, write = false): void {
    if (this.scope === undefined) this.refuse(`${what}: the database handle is valid only during the handler call it was given to`)
    if (write && this.scope === 'read') this.refuse(`${what}: nextTimerAt is read-only; write in onTimer`)
    if (write) this.beforeWrite?.()
  }

  private refuse(message: string): never {
    throw new Error(`ctx.db.${message}`)
  }
}

class ScopedStatement implements ElsStatement {
  constructor(
    private readonly owner: ScopedDatabase,
    private readonly statement: Database.Statement,
  ) {}

  run(...params: SqlValue[]): {changes: number; lastInsertRowid: number | bigint} {
    this.owner.check('run', !this.statement.readonly)
    const {changes, lastInsertRowid} = this.statement.run(...params)
    return {changes, lastInsertRowid}
  }

  get(...params: SqlValue[]): unknown {
    this.owner.check('get', !this.statement.readonly)
    return this.statement.get(...params)
  }

  all(...params: SqlValue[]): unknown[] {
    this.owner.check('all', !this.statement.readonly)
    return this.statement.all(...params)
  }
}
