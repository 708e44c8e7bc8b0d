import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {benchSqliteFloor} from '../../../src/sim/bench/sqlite-floor.js'

describe('the SQLite floor of a simulated run', () => {
  it('records every statement of the runs, replays them bare, and leaves better-sqlite3 as it found it', () => {
    // Given
    const statementProto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1'))
    const before = {run: statementProto.run, all: statementProto.all, exec: Database.prototype.exec}

    // When
    const floor = benchSqliteFloor('content-first', 3)

    // Then: content-first's 2 essays take dozens of statements a run (9 transactions at least)
    expect(floor).toMatchObject({scenario: 'content-first', runs: 3})
    expect(floor.statementsPerRun).toBeGreaterThan(2 * 9)
    expect(floor.floorRunsPerSecond).toBeGreaterThan(0)
    expect(floor.share).toBeCloseTo(floor.racelabRunsPerSecond / floor.floorRunsPerSecond, 1)
    expect({run: statementProto.run, all: statementProto.all, exec: Database.prototype.exec}).toEqual(before)
  })
})
