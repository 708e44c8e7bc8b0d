import type Database from 'better-sqlite3'

import {ProcessCrash} from './crash-points.js'

interface Handling {
  onCommit: () => void
  crashed: boolean
}

type TransactionFn = ((...args: unknown[]) => unknown) & Partial<Record<'deferred' | 'immediate' | 'exclusive', (...args: unknown[]) => unknown>>

/**
 * The points between a consumer's database transactions where a crash can fall
 * (docs/domain.md#crashes). Every transaction function made with `db.transaction` after this is
 * built reports its commit (the outermost one; a nested call is a savepoint): so a consumer that
 * splits one handling into two transactions, say a registration that drains its buffer in a
 * second one, can be stopped between them, whatever its code looks like. Outside `during` nothing
 * changes. Several consumers may share the database: handlings are synchronous, one at a time.
 */
export class CommitBoundaries {
  private current: Handling | undefined
  /** Puts back the database's own `transaction` (see restore). */
  readonly restore: () => void

  constructor(private readonly db: Database.Database) {
    const own = Object.getOwnPropertyDescriptor(db, 'transaction')
    // A pooled database outlives the run: without this, every run would wrap the previous run's
    // wrapper, and a few thousand runs in one process overflow the stack.
    this.restore = () => {
      if (own) Object.defineProperty(db, 'transaction', own)
      else delete (db as {transaction?: unknown}).transaction
    }
    const make = db.transaction.bind(db) as (fn: (...args: unknown[]) => unknown) => TransactionFn
    const handlingNow = (): Handling | undefined => this.current
    const report = (run: (...args: unknown[]) => unknown) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const handling = handlingNow()
        // A process that crashed writes nothing more, even if the consumer caught the crash.
        if (handling?.crashed) throw new ProcessCrash('the process crashed')
        const result = run.apply(this, args)
        if (handling !== undefined && !db.inTransaction) handling.onCommit()
        return result
      }
    ;(db as {transaction: unknown}).transaction = (fn: (...args: unknown[]) => unknown) => {
      const transaction = make(fn)
      const reported = report(transaction) as TransactionFn
      for (const mode of ['deferred', 'immediate', 'exclusive'] as const) {
        const variant = transaction[mode]
        if (variant) reported[mode] = report(variant)
      }
      return reported
    }
  }

  /**
   * Runs one handling; after each transaction commits, `onCommit` runs, and may throw
   * ProcessCrash to stop the process there. A crash the consumer swallowed still stops it.
   */
  during<T>(onCommit: () => void, work: () => T): T {
    const handling: Handling = {
      crashed: false,
      onCommit: () => {
        try {
          onCommit()
        } catch (error) {
          if (error instanceof ProcessCrash) handling.crashed = true
          throw error
        }
      },
    }
    this.current = handling
    try {
      const result = work()
      if (handling.crashed) throw new ProcessCrash('the process crashed')
      return result
    } finally {
      this.current = undefined
    }
  }
}
