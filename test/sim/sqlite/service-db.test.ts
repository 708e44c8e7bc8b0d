import {mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterEach, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/sim/input-error.js'
import {closeServiceDb, openServiceDb} from '../../../src/sim/sqlite/service-db.js'

// --db DIR replaces only the databases racelab made; anything else in their place stays as it was.
describe('openServiceDb in a directory', () => {
  const dirs: string[] = []
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'racelab-db-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })

  const open = (dir: string) => openServiceDb('file', 'CREATE TABLE t (x INTEGER);', dir)

  it('replaces a database an earlier racelab run made, starting from empty tables', () => {
    // Given an earlier run's file.sqlite with a row
    const dir = fresh()
    const first = open(dir)
    first.prepare('INSERT INTO t VALUES (1)').run()
    closeServiceDb(first)

    // When
    const again = open(dir)

    // Then
    expect(again.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
    closeServiceDb(again)
  })

  it("refuses a user's own SQLite database, naming it, and leaves it byte for byte", () => {
    // Given a file.sqlite racelab did not make
    const dir = fresh()
    const theirs = new Database(join(dir, 'file.sqlite'))
    theirs.exec('CREATE TABLE precious (v TEXT); INSERT INTO precious VALUES (\'keep me\')')
    theirs.close()
    const before = readFileSync(join(dir, 'file.sqlite'))

    // When / Then
    expect(() => open(dir)).toThrow(InputError)
    expect(() => open(dir)).toThrow(`${join(dir, 'file.sqlite')} exists and racelab did not create it`)
    expect(readFileSync(join(dir, 'file.sqlite')).equals(before)).toBe(true)
  })

  it('refuses any other file, a stray -wal, a directory or a symlink in the database’s place', () => {
    for (const plant of [
      (dir: string) => writeFileSync(join(dir, 'file.sqlite'), 'my notes'),
      (dir: string) => writeFileSync(join(dir, 'file.sqlite-wal'), 'not yours'),
      (dir: string) => mkdirSync(join(dir, 'file.sqlite')),
      (dir: string) => {
        writeFileSync(join(dir, 'target'), 'the target')
        symlinkSync(join(dir, 'target'), join(dir, 'file.sqlite'))
      },
    ]) {
      // Given
      const dir = fresh()
      plant(dir)
      const snapshot = (): string[] => ['file.sqlite', 'file.sqlite-wal', 'target'].map((f) => {
        try {
          return readFileSync(join(dir, f), 'utf8')
        } catch (error) {
          return (error as NodeJS.ErrnoException).code ?? 'error'
        }
      })
      const before = snapshot()

      // When / Then
      expect(() => open(dir)).toThrow(InputError)
      expect(snapshot()).toEqual(before)
    }
  })

  it('refuses an empty path (which would mean the current directory)', () => {
    expect(() => open('')).toThrow('--db: an empty path')
  })
})

// In memory, a closed database goes back to a pool and is handed out again emptied.
describe('the in-memory pool', () => {
  const schema = 'CREATE TABLE pooled_a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT); CREATE TABLE pooled_b (x INTEGER);'

  it('hands a database out again with every table empty and AUTOINCREMENT restarted', () => {
    // Given a pooled database whose run wrote rows
    const first = openServiceDb('els', schema)
    first.prepare("INSERT INTO pooled_a (v) VALUES ('one'), ('two')").run()
    first.prepare('INSERT INTO pooled_b VALUES (7)').run()
    closeServiceDb(first)

    // When the next run opens the same schema
    const again = openServiceDb('els', schema)

    // Then it is the same connection, emptied, and ids count from 1 again
    expect(again).toBe(first)
    expect(again.prepare('SELECT count(*) FROM pooled_b').pluck().get()).toBe(0)
    expect(Number(again.prepare("INSERT INTO pooled_a (v) VALUES ('three')").run().lastInsertRowid)).toBe(1)
    closeServiceDb(again)
  })

  it('closes a database whose schema changed instead of pooling it', () => {
    // Given a pooled database given one more table during its run
    const first = openServiceDb('els', schema)
    first.exec('CREATE TABLE pooled_extra (y INTEGER)')

    // When
    closeServiceDb(first)
    const next = openServiceDb('els', schema)

    // Then the next run gets a new database
    expect(first.open).toBe(false)
    expect(next).not.toBe(first)
    closeServiceDb(next)
  })
})
