import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {reusedTransaction} from '../../../src/sim/sqlite/reused-transaction.js'

describe('reusedTransaction', () => {
  const fresh = (): Database.Database => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (who TEXT)')
    return db
  }
  const rows = (db: Database.Database): string[] => db.prepare('SELECT who FROM t ORDER BY rowid').pluck().all() as string[]

  it('runs each object’s own body, and makes the transaction function once per database and kind', () => {
    // Given two objects over one database with a transaction of the same kind
    const db = fresh()
    let made = 0
    const make = db.transaction.bind(db)
    ;(db as {transaction: unknown}).transaction = (fn: () => unknown) => {
      made++
      return make(fn)
    }
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const first = reusedTransaction(db, 'insert', (who: string) => insert.run(`first ${who}`))
    const second = reusedTransaction(db, 'insert', (who: string) => insert.run(`second ${who}`))

    // When they take turns
    first('a')
    second('b')
    first('c')

    // Then each ran its own body, and db.transaction was called once
    expect(rows(db)).toEqual(['first a', 'second b', 'first c'])
    expect(made).toBe(1)
  })

  it('rolls the whole body back when it throws, as db.transaction does', () => {
    // Given
    const db = fresh()
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const failing = reusedTransaction(db, 'failing', () => {
      insert.run('written')
      throw new Error('midway')
    })

    // When / Then
    expect(() => failing()).toThrow('midway')
    expect(rows(db)).toEqual([])
    expect(db.inTransaction).toBe(false)
  })

  it('nests a body of the same kind as a savepoint and returns to the outer body afterwards', () => {
    // Given an outer body that calls another object's transaction of the same kind
    const db = fresh()
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const inner = reusedTransaction(db, 'nested', () => insert.run('inner'))
    const outer = reusedTransaction(db, 'nested', (again: boolean) => {
      insert.run('outer')
      if (again) inner()
    })

    // When
    outer(true)
    outer(false)

    // Then
    expect(rows(db)).toEqual(['outer', 'inner', 'outer'])
  })

  it('makes the function anew when another db.transaction is installed (the crash points’ commit reports)', () => {
    // Given a transaction made before a wrapper of db.transaction was installed
    const db = fresh()
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    reusedTransaction(db, 'wrapped', () => insert.run('before'))()
    const commits: string[] = []
    const make = db.transaction.bind(db)
    ;(db as {transaction: unknown}).transaction = (fn: () => unknown) => {
      const transaction = make(fn)
      return () => {
        transaction()
        commits.push('committed')
      }
    }

    // When the next object asks for the same kind
    reusedTransaction(db, 'wrapped', () => insert.run('after'))()

    // Then its commit went through the installed wrapper
    expect(rows(db)).toEqual(['before', 'after'])
    expect(commits).toEqual(['committed'])
  })
})
