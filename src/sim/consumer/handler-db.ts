import {resolve} from 'node:path'

import type Database from 'better-sqlite3'

import {OUTBOX_SCHEMA} from '../outbox/outbox.js'
import {DEAD_LETTERS_SCHEMA} from './dead-letters.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import type {LoadedHandler} from './handler-consumer.js'
import {NondeterminismTrap} from './nondeterminism-trap.js'
import {ScopedDatabase} from './scoped-database.js'

/**
 * The tables racelab keeps in a handler's database, created before its `migrate` runs: ELS's
 * outbox (`ctx.emit` writes it, ELS's relay publishes it) and the dead letters.
 */
export const HANDLER_DB_SCHEMA = `${DEAD_LETTERS_SCHEMA}${OUTBOX_SCHEMA}`

/**
 * ELS's database for a handler's run: racelab's tables, then the handler's `migrate` (clock and
 * randomness trapped). In memory it is pooled per handler like every service database, so a
 * migration runs once per pooled database, not once per run.
 */
export function openHandlerDb(handler: LoadedHandler, dir?: string): Database.Database {
  return openServiceDb('els', HANDLER_DB_SCHEMA, dir, {
    key: resolve(handler.path),
    run: (db) => {
      const scoped = new ScopedDatabase(db)
      new NondeterminismTrap().run(
        () => `${handler.path}, migrate`,
        () => scoped.within('migrate', () => handler.definition.migrate(scoped)),
      )
    },
  })
}

export const closeHandlerDb = closeServiceDb
