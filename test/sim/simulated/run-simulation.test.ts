import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterEach, describe, expect, it} from 'vitest'

import {TOPICS} from '../../../src/sim/domain/topics.js'
import {Chooser, replaySource} from '../../../src/sim/kernel/chooser.js'
import {decodeSchedule} from '../../../src/sim/kernel/schedule.js'
import {SECOND} from '../../../src/sim/kernel/time.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import type {ScenarioDefinition} from '../../../src/sim/scenario/scenario.js'
import {STRATEGY_NAMES, type ElsStrategy} from '../../../src/sim/services/els-strategy.js'
import {nextIdlePoll} from '../../../src/sim/services/relay.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const SEEDS = [1, 2, 3]

function scenario(name: string): ScenarioDefinition {
  const found = BUILTIN_SCENARIOS.get(name)
  if (!found) throw new Error(`no scenario ${name}`)
  return found
}

function run(name: string, strategy: ElsStrategy, seed: number, extra: Partial<RunOptions> = {}) {
  return runSimulation({scenario: scenario(name), strategy, seed, ...extra})
}

/** A built-in scenario with some settings changed. */
function variant(name: string, change: (s: ReturnType<ScenarioDefinition['build']>) => ReturnType<ScenarioDefinition['build']>): ScenarioDefinition {
  const base = scenario(name)
  return {...base, name: `${name}-variant`, summary: 'test variant', build: (chooser, topology) => change(base.build(chooser, topology))}
}

const EXPECTED: Record<string, Record<ElsStrategy, 'pass' | 'fail'>> = {
  'registration-first': {naive: 'pass', buffer: 'pass'},
  'content-first': {naive: 'fail', buffer: 'pass'},
  partial: {naive: 'fail', buffer: 'pass'},
  'relay-delay': {naive: 'fail', buffer: 'pass'},
  'true-excess': {naive: 'pass', buffer: 'pass'},
  'validation-failure': {naive: 'fail', buffer: 'pass'},
  'large-batch': {naive: 'pass', buffer: 'pass'},
}

const CASES = Object.entries(EXPECTED).flatMap(([name, byStrategy]) =>
  STRATEGY_NAMES.flatMap((strategy) => SEEDS.map((seed) => [name, strategy, seed, byStrategy[strategy]] as const)),
)

describe('runSimulation verdicts', () => {
  it.each(CASES)('%s with %s (seed %i) -> %s', (name, strategy, seed, verdict) => {
    // Given / When
    const {result} = run(name, strategy, seed)

    // Then
    expect(result.verdict).toBe(verdict)
    expect(result.violations.length === 0).toBe(verdict === 'pass')
    expect(result.stoppedBy).toBe('quiet')
    expect(result.scenario).toBe(name)
    expect(result.strategy).toBe(strategy)
    expect(result.seed).toBe(seed)
    if (verdict === 'pass') expect(result.batches.every((b) => b.ready === 1)).toBe(true)
    else expect(result.batches.some((b) => b.ready === 0)).toBe(true)
  })

  it.each(STRATEGY_NAMES)('true-excess has exactly one excess under %s', (strategy) => {
    // Given / When
    const results = SEEDS.map((seed) => run('true-excess', strategy, seed).result)

    // Then
    for (const result of results) {
      expect(result.batches).toEqual([{batchId: 'b1', expected: 2, assigned: 2, failed: 0, excess: 1, ready: 1}])
    }
  })

  it('naive content-first names the race: ready never emitted, contents falsely excess', () => {
    // Given / When
    const {result, trace} = run('content-first', 'naive', 1)

    // Then
    expect(result.violations.map((v) => v.invariant).sort()).toEqual(['no-false-excess', 'ready-exactly-once'])
    expect(result.batches).toEqual([{batchId: 'b1', expected: 2, assigned: 0, failed: 0, excess: 2, ready: 0}])
    const excess = trace.filter((e) => e.ev === 'handled' && e.outcome.kind === 'excess')
    expect(excess).toHaveLength(2)
  })

  it('buffer content-first drains both contents at registration', () => {
    // Given / When
    const {result, trace} = run('content-first', 'buffer', 1)

    // Then
    expect(result.metrics?.pendingStored).toBe(2)
    expect(result.metrics?.reconciled).toEqual({assigned: 2, excess: 0, failed: 0})
    expect(result.metrics?.maxPendingAge).toBeGreaterThan(SECOND)
    const registered = trace.find((e) => e.ev === 'handled' && e.outcome.kind === 'registered')
    expect(registered).toMatchObject({outcome: {drained: 2}, emitted: [TOPICS.essaySlotAssigned, TOPICS.essaySlotAssigned, TOPICS.batchEssaysReady]})
  })

  it('naive validation-failure loses the early failure', () => {
    // Given / When
    const {result, trace} = run('validation-failure', 'naive', 2)

    // Then
    expect(trace.some((e) => e.ev === 'handled' && e.outcome.kind === 'failure-lost')).toBe(true)
    expect(result.batches[0]).toMatchObject({assigned: 1, failed: 0, ready: 0})
  })
})

describe('runSimulation trace', () => {
  it('keeps the causal order: registration before every upload, times never decrease', () => {
    // Given / When
    const {trace} = run('large-batch', 'buffer', 4)

    // Then
    const registeredAt = trace.find((e) => e.ev === 'batch-registered')?.t ?? Infinity
    const uploads = trace.filter((e) => e.ev === 'upload-accepted' || e.ev === 'file-committed')
    expect(uploads).toHaveLength(50)
    expect(uploads.every((e) => e.t > registeredAt)).toBe(true)
    expect(trace.some((e) => e.ev === 'upload-refused')).toBe(false)
    for (let i = 1; i < trace.length; i++) expect(trace[i].t).toBeGreaterThanOrEqual(trace[i - 1].t)
  })

  it('applies the --essays and --batches overrides', () => {
    // Given / When
    const {result, trace} = run('registration-first', 'buffer', 5, {essays: 3, batches: 2})

    // Then
    expect(result.batches.map((b) => [b.batchId, b.expected, b.ready])).toEqual([
      ['b1', 3, 1],
      ['b2', 3, 1],
    ])
    expect(trace.filter((e) => e.ev === 'file-committed')).toHaveLength(6)
    expect(result.verdict).toBe('pass')
  })

  it('publishes every outbox row: each committed row appears as a published event', () => {
    // Given / When
    const {trace} = run('true-excess', 'buffer', 6)

    // Then every BOS and File Service row was published at least once
    const committed = trace.filter((e) => e.ev === 'batch-registered' || e.ev === 'file-committed')
    const published = trace.filter((e): e is Extract<TraceEvent, {ev: 'published'}> => e.ev === 'published')
    for (const event of committed) {
      const relay = event.svc === 'bos' ? 'bos-relay' : 'file-relay'
      expect(published.some((p) => p.svc === relay && p.row === event.row)).toBe(true)
    }
    // and every publish carried a distinct event id
    expect(new Set(published.map((p) => p.eventId)).size).toBe(published.length)
  })

  it('an unwoken relay publishes at its next idle poll', () => {
    // Given BOS's relay never woken by notifications (as in the real system)
    const definition = variant('registration-first', (s) => ({...s, batches: 3, relays: {...s.relays, bos: {...s.relays.bos, wake: false}}}))

    // When
    const {trace, result} = runSimulation({scenario: definition, strategy: 'buffer', seed: 1})

    // Then the first registration is published at the relay's next poll after its initial one at 0
    const registrations = trace.filter((e) => e.ev === 'batch-registered')
    const published = trace.filter((e) => e.svc === 'bos-relay')
    expect(published).toHaveLength(3)
    const pollInterval = definition.build(new Chooser(replaySource([])), {}).relays.bos.pollInterval
    expect(published[0].t).toBe(nextIdlePoll(0, 1, registrations[0].t, pollInterval).at)
    // and each registration waits for a poll (never published the instant it commits) but less than a second
    for (let i = 0; i < 3; i++) {
      expect(published[i].t).toBeGreaterThan(registrations[i].t)
      expect(published[i].t - registrations[i].t).toBeLessThanOrEqual(SECOND)
    }
    expect(result.verdict).toBe('pass')
  })

  it('a woken relay publishes at once when it has no publish delay', () => {
    // Given / When
    const {trace} = run('registration-first', 'buffer', 1)

    // Then
    const registered = trace.find((e) => e.ev === 'batch-registered')
    const published = trace.find((e) => e.svc === 'bos-relay')
    expect(published?.t).toBe(registered?.t)
  })

  it('expires buffered content after the pending timeout and reports it', () => {
    // Given content-first where the buffer times out (1 s) before BOS's relay (2 s late) publishes
    const definition = variant('content-first', (s) => ({...s, pendingTimeout: SECOND}))

    // When
    const {result, trace} = runSimulation({scenario: definition, strategy: 'buffer', seed: 1})

    // Then both buffered contents expired, were reported, and the checker flags the batch
    const expired = trace.filter((e) => e.ev === 'expired')
    expect(expired).toHaveLength(2)
    expect(result.metrics?.expired).toBe(2)
    const reports = trace.filter((e) => e.ev === 'published' && e.type === TOPICS.excessContentProvisioned)
    expect(reports).toHaveLength(2)
    expect(result.verdict).toBe('fail')
    expect(result.violations.map((v) => v.invariant)).toContain('ready-exactly-once')
    const buffered = trace.filter((e) => e.ev === 'handled' && e.outcome.kind === 'buffered')
    for (let i = 0; i < 2; i++) expect(expired[i].t).toBe(buffered[i].t + SECOND)
  })

  it('reports ELS metrics and counts that match the trace', () => {
    // Given / When
    const {result, trace} = run('relay-delay', 'buffer', 7)

    // Then
    expect(result.events).toBe(trace.length)
    expect(result.steps).toBeGreaterThanOrEqual(trace.length)
    expect(result.simulatedSeconds).toBe(trace[trace.length - 1].t / SECOND)
    expect(result.metrics?.deadLettered).toBe(0)
    expect(result.metrics?.pendingStored).toBe(trace.filter((e) => e.ev === 'handled' && e.outcome.kind === 'buffered').length)
  })
})

describe('runSimulation determinism', () => {
  it.each(['random', 'large-batch', 'partial'])('same seed -> deep-equal trace and result (%s)', (name) => {
    // Given / When
    const a = run(name, 'buffer', 11)
    const b = run(name, 'buffer', 11)

    // Then
    expect(b.trace).toEqual(a.trace)
    expect(b.result).toEqual(a.result)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })

  it("different seeds of 'random' give different traces", () => {
    // Given / When
    const traces = [1, 2, 3, 4].map((seed) => JSON.stringify(run('random', 'naive', seed).trace))

    // Then every pair differs
    expect(new Set(traces).size).toBe(4)
  })

  it.each(['random', 'large-batch', 'content-first', 'true-excess'])(
    'replaying result.schedule with the same seed reproduces the identical trace (%s)',
    (name) => {
      // Given a recorded run
      const original = run(name, 'naive', 21)

      // When replaying its schedule
      const replay = run(name, 'naive', 21, {schedule: decodeSchedule(original.result.schedule)})

      // Then
      expect(original.result.schedule.length).toBeGreaterThan(0)
      expect(replay.trace).toEqual(original.trace)
      expect(replay.result).toEqual(original.result)
    },
  )

  it('replays a failing random run to the same failure', () => {
    // Given a seed of 'random' where the naive strategy fails
    const failing = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
      .map((seed) => run('random', 'naive', seed))
      .find((r) => r.result.verdict === 'fail')
    expect(failing).toBeDefined()
    if (!failing) return

    // When
    const replay = run('random', 'naive', failing.result.seed, {schedule: decodeSchedule(failing.result.schedule)})

    // Then
    expect(replay.result.verdict).toBe('fail')
    expect(replay.result.violations).toEqual(failing.result.violations)
  })
})

describe('runSimulation with dbDir', () => {
  const dirs: string[] = []

  afterEach(() => {
    while (dirs.length > 0) rmSync(dirs.pop()!, {recursive: true, force: true})
  })

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'racelab-test-'))
    dirs.push(dir)
    return dir
  }

  function count(file: string, sql: string): number {
    const db = new Database(file, {readonly: true})
    try {
      return db.prepare(sql).pluck().get() as number
    } finally {
      db.close()
    }
  }

  it('leaves bos.sqlite, file.sqlite and els.sqlite with the rows of the run', () => {
    // Given
    const dir = tempDir()

    // When
    const {result} = run('true-excess', 'buffer', 1, {dbDir: dir})

    // Then the three files exist
    const bos = join(dir, 'bos.sqlite')
    const file = join(dir, 'file.sqlite')
    const els = join(dir, 'els.sqlite')
    for (const path of [bos, file, els]) expect(existsSync(path)).toBe(true)

    // And they hold the run's rows
    expect(result.verdict).toBe('pass')
    expect(count(bos, 'SELECT count(*) FROM batches')).toBe(1)
    expect(count(bos, 'SELECT count(*) FROM outbox WHERE published_at IS NOT NULL')).toBe(1)
    expect(count(file, 'SELECT count(*) FROM file_uploads')).toBe(3)
    expect(count(file, 'SELECT count(*) FROM outbox WHERE published_at IS NOT NULL')).toBe(3)
    expect(count(els, "SELECT count(*) FROM essay_slots WHERE status = 'READY_FOR_PROCESSING'")).toBe(2)
    expect(count(els, 'SELECT count(*) FROM batch_trackers WHERE ready_at IS NOT NULL')).toBe(1)
    expect(count(els, 'SELECT count(*) FROM processed_events')).toBe(4)
    expect(count(els, 'SELECT count(*) FROM outbox WHERE published_at IS NULL')).toBe(0)
    expect(count(els, `SELECT count(*) FROM outbox WHERE event_type = '${TOPICS.excessContentProvisioned}'`)).toBe(1)
  })

  it('starts from empty tables when the directory holds an earlier run', () => {
    // Given a directory with a previous run
    const dir = tempDir()
    run('registration-first', 'buffer', 1, {dbDir: dir})

    // When running again into it
    const again = run('registration-first', 'buffer', 1, {dbDir: dir})

    // Then the rows are those of one run, and the result equals an in-memory run
    expect(count(join(dir, 'bos.sqlite'), 'SELECT count(*) FROM batches')).toBe(1)
    expect(count(join(dir, 'file.sqlite'), 'SELECT count(*) FROM file_uploads')).toBe(2)
    expect(again.result).toEqual(run('registration-first', 'buffer', 1).result)
  })

  it('creates a missing directory', () => {
    // Given
    const dir = join(tempDir(), 'nested', 'dbs')

    // When
    run('registration-first', 'naive', 1, {dbDir: dir})

    // Then
    expect(existsSync(join(dir, 'els.sqlite'))).toBe(true)
  })
})


describe('a failed upload holds a slot', () => {
  it('true-excess with one invalid upload: the batch completes with 1 assigned + 1 failed, and the third file is excess, never a late assignment', () => {
    for (const strategy of STRATEGY_NAMES) {
      for (const seed of SEEDS) {
        // Given / When
        const {result} = run('true-excess', strategy, seed, {invalid: 1})

        // Then
        expect(result.violations).toEqual([])
        expect(result.batches).toMatchObject([{batchId: 'b1', expected: 2, assigned: 1, failed: 1, excess: 1, ready: 1}])
      }
    }
  })
})
