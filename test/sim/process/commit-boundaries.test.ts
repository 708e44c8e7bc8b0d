import Database from 'better-sqlite3'
import {beforeEach, describe, expect, it} from 'vitest'

import {CommitBoundaries} from '../../../src/sim/process/commit-boundaries.js'
import {ProcessCrash} from '../../../src/sim/process/crash-points.js'

describe('CommitBoundaries', () => {
  let db: Database.Database
  let boundaries: CommitBoundaries
  let insert: (n: number) => void
  let rows: () => number[]

  beforeEach(() => {
    db = new Database(':memory:')
    db.exec('CREATE TABLE t (n INTEGER)')
    boundaries = new CommitBoundaries(db)
    const stmt = db.prepare('INSERT INTO t (n) VALUES (?)')
    insert = db.transaction((n: number) => void stmt.run(n))
    rows = () => db.prepare('SELECT n FROM t ORDER BY n').pluck().all() as number[]
  })

  it('reports each outermost commit of a handling, not a nested one, and nothing outside a handling', () => {
    // Given
    const nested = db.transaction(() => {
      insert(1)
      insert(2)
    })
    let commits = 0

    // When
    insert(0)
    boundaries.during(
      () => commits++,
      () => {
        nested()
        insert(3)
      },
    )

    // Then
    expect(commits).toBe(2)
    expect(rows()).toEqual([0, 1, 2, 3])
  })

  it('a crash at a boundary keeps what committed and stops the rest of the handling', () => {
    // Given: a handling of two transactions, and a crash after the first
    let commits = 0
    const crashAfterFirst = (): void => {
      if (++commits === 1) throw new ProcessCrash('crash')
    }

    // When
    const handling = (): void =>
      boundaries.during(crashAfterFirst, () => {
        insert(1)
        insert(2)
      })

    // Then
    expect(handling).toThrow(ProcessCrash)
    expect(rows()).toEqual([1])
  })

  it('a consumer that swallows the crash still writes nothing more, and the handling still ends in the crash', () => {
    // Given
    const swallowing = (): void => {
      try {
        insert(1)
      } catch {
        // a consumer that catches everything
      }
      try {
        insert(2)
      } catch {
        // also this one
      }
    }

    // When / Then
    expect(() =>
      boundaries.during(() => {
        throw new ProcessCrash('crash')
      }, swallowing),
    ).toThrow(ProcessCrash)
    expect(rows()).toEqual([1])
  })

  it('a transaction that rolls back reports no commit', () => {
    // Given
    const failing = db.transaction(() => {
      insert(1)
      throw new Error('boom')
    })
    let commits = 0

    // When / Then
    expect(() => boundaries.during(() => commits++, failing)).toThrow('boom')
    expect(commits).toBe(0)
    expect(rows()).toEqual([])
  })
})

describe('CommitBoundaries.restore', () => {
  it('puts the database back as it was, so a pooled database is not wrapped once more per run', () => {
    // Given
    const db = new Database(':memory:')
    const original = db.transaction

    // When: 10,000 runs, each wrapping the database and restoring it when it closes
    for (let run = 0; run < 10_000; run++) new CommitBoundaries(db).restore()

    // Then: the very same function, and a transaction still works (no stack of wrappers)
    expect(db.transaction).toBe(original)
    expect(Object.hasOwn(db, 'transaction')).toBe(false)
    expect(db.transaction(() => 42)()).toBe(42)
    db.close()
  })
})
