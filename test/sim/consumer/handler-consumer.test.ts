import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {beforeAll, describe, expect, it} from 'vitest'

import {loadHandler} from '../../../src/sim/consumer/handler-loader.js'
import {MAX_HANDLER_TRIES} from '../../../src/sim/consumer/handler-retries.js'
import {NondeterministicHandler} from '../../../src/sim/consumer/nondeterminism-trap.js'
import {ScopedDatabase} from '../../../src/sim/consumer/scoped-database.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {HANDLE_RETRY} from '../../../src/sim/process/els-group.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'
import type {TraceEvent} from '../../../src/sim/trace/trace-event.js'

const BUFFER = 'examples/handlers/buffer.ts'
const dir = mkdtempSync(join(tmpdir(), 'racelab-handler-runs-'))

/** A handler module: the example fix with one call replaced by `body` (`fix` is the example's handler). */
function variant(name: string, call: 'onContent' | 'onRegistered', body: string): string {
  const path = join(dir, `${name}.mjs`)
  writeFileSync(
    path,
    `import fix from ${JSON.stringify(join(process.cwd(), BUFFER))}
export default {migrate: fix.migrate, create(config) {
  const inner = fix.create(config)
  return {
    onRegistered: (e, ctx) => inner.onRegistered(e, ctx),
    onContent: (e, ctx) => inner.onContent(e, ctx),
    onValidationFailed: (e, ctx) => inner.onValidationFailed(e, ctx),
    nextTimerAt: (ctx) => inner.nextTimerAt(ctx),
    onTimer: (ctx) => inner.onTimer(ctx),
    ${call}(e, ctx) { ${body} },
  }
}}
`,
  )
  return path
}

const scenario = (name: string) => BUILTIN_SCENARIOS.get(name)!
const run = (handler: string, name = 'registration-first', seed = 1) => runSimulation({scenario: scenario(name), strategy: 'buffer', seed, handler})
type Handled = Extract<TraceEvent, {ev: 'handled'}>

// A .ts handler imported from a .mjs one needs tsx's loader in this process: vitest has it.
beforeAll(async () => {
  await loadHandler(BUFFER)
})

describe('a handler that throws on a message', () => {
  const path = variant('throws', 'onContent', `if (e.data.file_upload_id === 'b1-f1') throw new Error('boom: no such column'); return inner.onContent(e, ctx)`)

  it('is a handler failure naming the event and the error; rolled back, retried, then dead-lettered, and the run goes on', async () => {
    // Given
    await loadHandler(path)
    // When
    const {result, trace} = runSimulation({scenario: scenario('registration-first'), strategy: 'buffer', seed: 1, batches: 3, handler: path})
    // Then every try is traced as a failure naming the call, the event and the error
    const failed = trace.filter((e): e is Extract<TraceEvent, {ev: 'handle-failed'}> => e.ev === 'handle-failed')
    expect(failed).toHaveLength(MAX_HANDLER_TRIES - 1)
    expect(failed[0].error).toMatch(/^handler failure: .*throws\.mjs: onContent threw on EssayContentProvisioned text-b1-f1 \(batch b1, event [0-9a-f-]{36}\) \(try 1 of 5\): boom: no such column$/)
    expect(failed.map((e) => e.t - failed[0].t)).toEqual(failed.map((_, i) => i * HANDLE_RETRY))
    // and the last try dead-letters it, after which the other content is still handled
    const handled = trace.filter((e): e is Handled => e.ev === 'handled')
    const dead = handled.find((e) => e.outcome.kind === 'dead-lettered')
    expect(dead?.outcome).toMatchObject({kind: 'dead-lettered', error: expect.stringMatching(/onContent threw on EssayContentProvisioned text-b1-f1 .* 5 times: boom/)})
    expect(handled.some((e) => e.outcome.kind === 'handler' && e.outcome.ref === 'text-b1-f2')).toBe(true)
    // and the other batches complete
    expect(result.batches.map((b) => [b.batchId, b.ready])).toEqual([['b1', 0], ['b2', 1], ['b3', 1]])
    expect(result.handler).toMatchObject({path, failures: failed.map((e) => e.error), deadLettered: [(dead!.outcome as {error: string}).error]})
    // and nothing of the rolled-back tries reached the outbox: the lost content is the verdict's
    expect(result.verdict).toBe('fail')
    expect(result.violations.map((v) => v.invariant)).toContain('no-lost-content')
    expect(result.stoppedBy).toBe('quiet')
  })

  it('rolls back what the failing call wrote', async () => {
    // Given a registration that writes its tracker, emits nothing, then throws once per message
    const path2 = variant('half', 'onRegistered', `ctx.db.prepare('INSERT INTO batch_trackers (batch_id, expected_count) VALUES (?, ?)').run(e.data.batch_id, 99); throw new Error('after the tracker')`)
    await loadHandler(path2)
    // When
    const {trace} = run(path2)
    // Then no try ever found the tracker a rolled-back try wrote (the insert would break the key)
    const failures = trace.filter((e) => e.ev === 'handle-failed').map((e) => (e as {error: string}).error)
    expect(failures.length).toBe(MAX_HANDLER_TRIES - 1)
    expect(failures.every((error) => error.endsWith(': after the tracker'))).toBe(true)
  })
})

describe('a nondeterministic handler', () => {
  for (const [call, code] of [
    ['Date.now()', 'Date.now()'],
    ['new Date()', 'new Date()'],
    ['Math.random()', 'Math.random()'],
    ['performance.now()', 'performance.now()'],
  ] as const) {
    it(`that calls ${call} stops the run: "handler is nondeterministic", naming the first event`, async () => {
      // Given
      const path = variant(`clock-${call.replace(/\W/g, '')}`, 'onContent', `${code}; return inner.onContent(e, ctx)`)
      await loadHandler(path)
      // When
      const error = (() => {
        try {
          run(path)
        } catch (e) {
          return e as Error
        }
      })()
      // Then
      expect(error).toBeInstanceOf(NondeterministicHandler)
      expect(error!.message).toMatch(new RegExp(`^handler is nondeterministic \\(scenario \\S+, strategy buffer, seed 1\\): it called ${call.replace(/[().]/g, '\\$&')} \\(.*\\.mjs, onContent, handling EssayContentProvisioned text-b1-f\\d \\(batch b1, event [0-9a-f-]{36}\\) at \\d+\\.\\d{3}s\\)`))
    })
  }

  it('is caught even when the handler swallows the trap', async () => {
    // Given
    const path = variant('swallows', 'onContent', `try { Math.random() } catch {} return inner.onContent(e, ctx)`)
    await loadHandler(path)
    // When / Then
    expect(() => run(path)).toThrow(/handler is nondeterministic \(scenario \S+, strategy buffer, seed 1\): it called Math\.random\(\)/)
  })

  it('may still build a Date from a value, and the real clock is back after each call', async () => {
    // Given
    const path = variant('dates', 'onContent', `new Date(ctx.now / 1000).toISOString(); return inner.onContent(e, ctx)`)
    await loadHandler(path)
    // When
    const {result} = run(path)
    // Then
    expect(result.verdict).toBe('pass')
    expect(typeof Date.now()).toBe('number')
    expect(Math.random()).toBeLessThan(1)
  })
})

describe('the database a handler gets', () => {
  it('is valid only during the call it was given to', () => {
    // Given
    const scoped = new ScopedDatabase(new Database(':memory:'))
    const statement = scoped.within('write', () => scoped.prepare('SELECT 1 AS one'))
    // When / Then
    expect(scoped.within('write', () => statement.get())).toEqual({one: 1})
    expect(() => statement.get()).toThrow(/ctx\.db\.get: the database handle is valid only during the handler call it was given to/)
    expect(() => scoped.prepare('SELECT 1')).toThrow(/valid only during the handler call/)
  })

  it('refuses exec outside migrate', async () => {
    // Given
    const execs = join(dir, 'execs.mjs')
    writeFileSync(execs, `export default {migrate() {}, create: () => ({onRegistered(e, ctx) { ctx.db.exec('CREATE TABLE x (y)') }, onContent() {}, onValidationFailed() {}})}`)
    await loadHandler(execs)
    // When
    const {trace} = run(execs)
    // Then
    const failure = trace.find((e) => e.ev === 'handle-failed') as {error: string} | undefined
    expect(failure?.error).toMatch(/ctx\.db\.exec\(\) is for migrate/)
  })
})

describe('a handler emits through ELS’s outbox', () => {
  it('envelopes keyed by batch, published by ELS’s relay; the example fix completes every batch', async () => {
    // When
    const {result, trace} = run(BUFFER, 'content-first')
    // Then
    const published = trace.filter((e) => e.ev === 'published' && e.svc === 'els-relay')
    expect(published.map((e) => (e as {type: string}).type)).toContain(TOPICS.batchEssaysReady)
    expect(result).toMatchObject({verdict: 'pass', handler: {path: BUFFER, failures: [], deadLettered: []}})
  })
})

describe('a handler under the crash fault', () => {
  it('crashes with the process: a crash at a commit is never retried or counted as a handler failure', () => {
    // Given ELS crashing at every point it may (crash=els), the example fix as the handler
    const crash = parseFaultSpec('crash=els@30%')
    if (!crash.ok) throw new Error(crash.error)
    // When
    const {result, trace} = runSimulation({scenario: scenario('random'), strategy: 'buffer', seed: 3, batches: 3, faults: [crash.value], handler: BUFFER})
    // Then a crash after the handling's transaction is traced as the crash it is
    expect(trace.some((e) => e.ev === 'els-crashed' && (e as {point?: string}).point === 'after-transaction')).toBe(true)
    // and never as a handler failure, so no committed handling is retried in the same process
    const failures = trace.filter((e) => e.ev === 'handle-failed').map((e) => (e as {error: string}).error)
    expect(failures).toEqual([])
    expect(result.handler).toMatchObject({failures: [], deadLettered: []})
  })
})
