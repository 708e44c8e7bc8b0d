import {performance} from 'node:perf_hooks'

import Database from 'better-sqlite3'

import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {WARM_UP_RUNS} from './warm-up.js'

/**
 * The SQLite floor of a simulated run (issue: "the same runs' SQLite work alone, replayed bare"):
 * every statement the runs executed, with its parameters, on the same databases, and nothing
 * else. racelab's runs/s over the floor's says how much of a run is racelab's own work; a run can
 * never be faster than its floor.
 *
 * The recording wraps better-sqlite3's Statement and Database methods for the recorded runs only,
 * here in the bench, which may read the wall clock (the simulated core never sees it).
 */

/** The goal: racelab runs at least half as fast as its SQLite work alone. */
export const FLOOR_GOAL = 0.5

type Method = 'run' | 'get' | 'all' | 'iterate'

/** One executed statement: on which database (its index in the recording), which SQL, how, with what. */
interface Op {
  db: number
  sql: string
  method: Method | 'exec'
  params: unknown[]
}

export interface SqliteFloor {
  scenario: string
  runs: number
  /** Statements the runs executed (BEGIN and COMMIT included), per run. */
  statementsPerRun: number
  /** racelab's own runs of the same seeds, timed the same way (runs/s). */
  racelabRunsPerSecond: number
  /** The same statements replayed bare on the same databases (runs/s). */
  floorRunsPerSecond: number
  /** racelab runs/s over the floor's: 1 would mean a run is its SQLite work and nothing else. */
  share: number
}

/** Runs `runs` seeds of a built-in scenario (strategy buffer) twice, recorded and bare, and compares. */
export function benchSqliteFloor(scenarioName: string, runs: number): SqliteFloor {
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  const run = (seed: number): void => {
    runSimulation({scenario, strategy: 'buffer', seed})
  }
  // Warm-up, so the pooled databases exist and V8 has compiled both paths.
  for (let seed = 0; seed < WARM_UP_RUNS; seed++) run(10_000 + seed)

  const started = performance.now()
  for (let seed = 1; seed <= runs; seed++) run(seed)
  const racelabSeconds = (performance.now() - started) / 1000

  const {ops, snapshots} = record(() => {
    for (let seed = 1; seed <= runs; seed++) run(seed)
  })
  const replay = bareReplay(ops, snapshots)
  replay() // warm-up: prepare every statement once, as racelab's pool has
  const floorStarted = performance.now()
  replay()
  const floorSeconds = (performance.now() - floorStarted) / 1000

  const racelabRunsPerSecond = runs / racelabSeconds
  const floorRunsPerSecond = runs / floorSeconds
  return {
    scenario: scenarioName,
    runs,
    statementsPerRun: Math.round(ops.length / runs),
    racelabRunsPerSecond: Math.round(racelabRunsPerSecond * 10) / 10,
    floorRunsPerSecond: Math.round(floorRunsPerSecond * 10) / 10,
    share: Math.round((racelabRunsPerSecond / floorRunsPerSecond) * 1000) / 1000,
  }
}

/**
 * Records every statement executed while `body` runs. A database is snapshotted (serialized) the
 * first time it is seen, so the replay starts each one from the state the recording found it in.
 */
function record(body: () => void): {ops: Op[]; snapshots: Buffer[]} {
  const ops: Op[] = []
  const snapshots: Buffer[] = []
  const index = new WeakMap<Database.Database, number>()
  const dbIndex = (db: Database.Database): number => {
    let i = index.get(db)
    if (i === undefined) {
      i = snapshots.length
      snapshots.push(db.serialize())
      index.set(db, i)
    }
    return i
  }
  const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Record<Method, (...args: unknown[]) => unknown>
  const originals = new Map<Method, (...args: unknown[]) => unknown>()
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statementProto[method]
    originals.set(method, original)
    statementProto[method] = function (this: Database.Statement, ...params: unknown[]) {
      ops.push({db: dbIndex(this.database), sql: this.source, method, params})
      return original.apply(this, params)
    }
  }
  const originalExec = Database.prototype.exec
  Database.prototype.exec = function (this: Database.Database, sql: string) {
    ops.push({db: dbIndex(this), sql, method: 'exec', params: []})
    return originalExec.call(this, sql)
  }
  try {
    body()
  } finally {
    for (const [method, original] of originals) statementProto[method] = original
    Database.prototype.exec = originalExec
  }
  return {ops, snapshots}
}

/** A function that executes `ops` on databases opened from `snapshots`, statements prepared once. */
function bareReplay(ops: Op[], snapshots: Buffer[]): () => void {
  const dbs = snapshots.map((bytes) => new Database(bytes))
  const prepared = dbs.map(() => new Map<string, Database.Statement>())
  return () => {
    for (const op of ops) {
      const db = dbs[op.db]
      if (op.method === 'exec') {
        db.exec(op.sql)
        continue
      }
      let stmt = prepared[op.db].get(op.sql)
      if (!stmt) {
        stmt = db.prepare(op.sql)
        prepared[op.db].set(op.sql, stmt)
      }
      if (op.method === 'iterate') for (const _ of stmt.iterate(...op.params)) void _
      else if (op.method === 'run' || !stmt.reader) stmt.run(...op.params)
      else stmt[op.method](...op.params)
    }
  }
}
