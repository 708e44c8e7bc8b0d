import Database from 'better-sqlite3'

import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {BENCH_PASSES, seedSlices, timedPasses} from './timed-passes.js'
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
  /** Both sides were timed in this many slices of the seeds (timed-passes.ts). */
  passes: number
  /** The fastest slice of each side, and their ratio: the least disturbed estimate on a shared machine. */
  bestPass: {racelabRunsPerSecond: number; floorRunsPerSecond: number; share: number}
}

/** Runs `runs` seeds of a built-in scenario (strategy buffer) twice, recorded and bare, and compares. */
export function benchSqliteFloor(scenarioName: string, runs: number, passes = BENCH_PASSES): SqliteFloor {
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  const run = (seed: number): void => {
    runSimulation({scenario, strategy: 'buffer', seed})
  }
  // Warm-up, so the pooled databases exist and V8 has compiled both paths.
  for (let seed = 0; seed < WARM_UP_RUNS; seed++) run(10_000 + seed)

  const slices = seedSlices(runs, passes)
  const racelab = timedPasses(slices.length, (pass) => {
    for (let seed = slices[pass].from; seed <= slices[pass].to; seed++) run(seed)
  })

  // Where each slice's statements start in the recording, so the replay is timed slice by slice too.
  const starts: number[] = []
  const {ops, snapshots} = record((recorded) => {
    for (const slice of slices) {
      starts.push(recorded.length)
      for (let seed = slice.from; seed <= slice.to; seed++) run(seed)
    }
  })
  starts.push(ops.length)
  const replay = bareReplay(ops, snapshots)
  replay(0, ops.length) // warm-up: prepare every statement once, as racelab's pool has
  const floor = timedPasses(slices.length, (pass) => replay(starts[pass], starts[pass + 1]))

  const sum = (xs: number[]): number => xs.reduce((total, x) => total + x, 0)
  const sizes = slices.map((slice) => slice.to - slice.from + 1)
  const fastest = (wall: number[]): number => Math.max(...sizes.map((size, i) => size / wall[i]))
  const round = (n: number): number => Math.round(n * 10) / 10
  const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000
  const racelabRunsPerSecond = runs / sum(racelab.wall)
  const floorRunsPerSecond = runs / sum(floor.wall)
  const best = {racelab: fastest(racelab.wall), floor: fastest(floor.wall)}
  return {
    scenario: scenarioName,
    runs,
    statementsPerRun: Math.round(ops.length / runs),
    racelabRunsPerSecond: round(racelabRunsPerSecond),
    floorRunsPerSecond: round(floorRunsPerSecond),
    share: ratio(racelabRunsPerSecond, floorRunsPerSecond),
    passes: slices.length,
    bestPass: {racelabRunsPerSecond: round(best.racelab), floorRunsPerSecond: round(best.floor), share: ratio(best.racelab, best.floor)},
  }
}

/**
 * Records every statement executed while `body` runs. A database is snapshotted (serialized) the
 * first time it is seen, so the replay starts each one from the state the recording found it in.
 */
function record(body: (recorded: readonly Op[]) => void): {ops: Op[]; snapshots: Buffer[]} {
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
    body(ops)
  } finally {
    for (const [method, original] of originals) statementProto[method] = original
    Database.prototype.exec = originalExec
  }
  return {ops, snapshots}
}

/** A function that executes `ops[from..to)` on databases opened from `snapshots`, statements prepared once. */
function bareReplay(ops: Op[], snapshots: Buffer[]): (from: number, to: number) => void {
  const dbs = snapshots.map((bytes) => new Database(bytes))
  const prepared = dbs.map(() => new Map<string, Database.Statement>())
  return (from, to) => {
    for (let i = from; i < to; i++) {
      const op = ops[i]
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
