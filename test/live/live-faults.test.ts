import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {hasKcat, SKIP_LINE, startCluster, racelab, type Exit} from './support.js'
import {faultChooser} from '../../src/sim/live/run-live.js'

const readTrace = (path: string): TraceEvent[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TraceEvent)

if (!hasKcat) console.log(SKIP_LINE)

describe.skipIf(!hasKcat)('ELS faults live: els-restart and consumer-crash-before-commit on a local mock cluster', () => {
  let cluster: RunningCluster
  const dir = mkdtempSync(join(tmpdir(), 'racelab-live-faults-'))
  const restartTrace = join(dir, 'restart.jsonl')
  const crashTrace = join(dir, 'crash.jsonl')
  let restart: Promise<Exit>
  let crash: Promise<Exit>

  const crashSeed = Array.from({length: 100}, (_, i) => i + 1).find((seed) =>
    faultChooser(seed, 'consumer-crash-before-commit').chance(50, 100),
  )!

  beforeAll(async () => {
    cluster = await startCluster()
    const S = cluster.servers
    const run = (fault: string, seed: number, trace: string): Promise<Exit> =>
      racelab(['run', '--kafka', S, '--scenario', 'content-first', '--strategy', 'buffer', '--fault', fault, '--seed', String(seed), '--trace', trace, '--json'])
    // Both at once, each under its own topic prefix. Every restart costs about 5 s on the mock
    // cluster (it holds the group's rebalance for the session timeout less a second).
    restart = run('els-restart@100%', 1, restartTrace)
    // The crash decisions have a stream of their own (faultChooser): pick a seed whose first
    // decision at 50% is a crash, so the first handled message certainly crashes.
    crash = run('consumer-crash-before-commit@50%', crashSeed, crashTrace)
  })

  afterAll(async () => {
    await Promise.all([restart, crash])
    await cluster?.stop()
  })

  it('els-restart@100%: every handled message restarts ELS, which rejoins; the buffer holds (exit 0)', async () => {
    // When
    const {code, stdout} = await restart

    // Then
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'pass', stoppedBy: 'quiet', batches: [{batchId: 'b1', assigned: 2, excess: 0, ready: 1}]})
    const trace = readTrace(restartTrace)
    const handled = trace.filter((e) => e.ev === 'handled')
    const restarted = trace.filter((e) => e.ev === 'els-restarted')
    const rejoined = trace.filter((e) => e.ev === 'els-rejoined')
    // Committed before each restart: nothing is redelivered, every message is handled once
    expect(handled).toHaveLength(3)
    expect(restarted).toHaveLength(3)
    expect(rejoined).toHaveLength(3)
    for (const event of rejoined) expect(event).toMatchObject({svc: 'els', partitions: expect.any(Number)})
  }, 60_000)

  it('consumer-crash-before-commit: the uncommitted message is redelivered to a fresh consumer and handled as a duplicate (exit 0)', async () => {
    // When
    const {code, stdout} = await crash

    // Then
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'pass', stoppedBy: 'quiet', batches: [{batchId: 'b1', assigned: 2, excess: 0, ready: 1}]})
    const trace = readTrace(crashTrace)
    const crashes = trace.filter((e): e is Extract<TraceEvent, {ev: 'els-crashed'}> => e.ev === 'els-crashed')
    expect(crashes.length).toBeGreaterThan(0)
    expect(trace.filter((e) => e.ev === 'els-rejoined')).toHaveLength(crashes.length)
    // Each crashed message is handled again after the crash, from its committed offset, and
    // recognised by its event_id
    for (const crashed of crashes) {
      const at = trace.indexOf(crashed)
      // The crashed message: the handling right before the crash
      const first = trace
        .slice(0, at)
        .reverse()
        .find((e) => e.ev === 'handled')
      expect(first).toMatchObject({partition: crashed.partition, offset: crashed.offset})
      if (first?.ev !== 'handled') continue
      const again = trace
        .slice(at + 1)
        .find((e) => e.ev === 'handled' && e.type === first.type && e.partition === first.partition && e.offset === first.offset)
      expect(again).toMatchObject({outcome: {kind: 'duplicate', why: expect.stringMatching(/^event \S+ already processed$/)}})
    }
  }, 60_000)
})

describe.skipIf(!hasKcat)('the crash and publish-error faults live, on a local mock cluster', () => {
  let cluster: RunningCluster
  const dir = mkdtempSync(join(tmpdir(), 'racelab-live-crash-'))
  const serviceTrace = join(dir, 'services.jsonl')
  const elsTrace = join(dir, 'els.jsonl')
  let services: Promise<Exit>
  let els: Promise<Exit>
  let refused: Promise<Exit>

  // The crash decisions have a stream of their own: a seed whose first decision fires.
  const firstCrashes = (percent: number): number =>
    Array.from({length: 200}, (_, i) => i + 1).find((seed) => faultChooser(seed, 'crash').percent(percent))!

  beforeAll(async () => {
    cluster = await startCluster()
    const S = cluster.servers
    const run = (fault: string, seed: number, trace: string): Promise<Exit> =>
      racelab(['run', '--kafka', S, '--scenario', 'content-first', '--strategy', 'buffer', '--fault', fault, '--seed', String(seed), '--trace', trace, '--json'])
    // BOS is asked first (the registration), ELS at its first message: each crashes there for certain.
    // Not bos-relay: content-first delays it 2 s, which a restart after a poll pays again and the
    // liveness bound does not allow for yet.
    services = run('crash=bos,file,file-relay@50%', firstCrashes(50), serviceTrace)
    els = run('crash=els@15%', firstCrashes(15), elsTrace)
    refused = run('publish-error=bos@100%', 1, join(dir, 'refused.jsonl'))
  })

  afterAll(async () => {
    await Promise.all([services, els, refused])
    await cluster?.stop()
  })

  it('crashed services and relays restart from their databases, the client retries, and the fix holds (exit 0)', async () => {
    const {code, stdout} = await services
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'pass', stoppedBy: 'quiet', batches: [{batchId: 'b1', assigned: 2, excess: 0, ready: 1}]})
    expect(readTrace(serviceTrace).find((e) => e.ev === 'crashed')).toMatchObject({svc: 'bos', point: 'before-commit', batch: 'b1'})
  }, 90_000)

  it('ELS crashing at its step boundaries leaves the fix intact; its first message is taken again (exit 0)', async () => {
    const {code, stdout} = await els
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({verdict: 'pass', stoppedBy: 'quiet'})
    const trace = readTrace(elsTrace)
    const first = trace.find((e): e is Extract<TraceEvent, {ev: 'els-crashed'}> => e.ev === 'els-crashed')!
    expect(first.point).toBe('before-handling')
    expect(trace.some((e) => e.ev === 'handled' && e.partition === first.partition && e.offset === first.offset)).toBe(true)
  }, 90_000)

  it('a row the broker always refuses is given up on after 5 tries and named (exit 1)', async () => {
    const {code, stdout} = await refused
    expect(code).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', stoppedBy: 'relays-gave-up', unpublished: [{service: 'bos', rowId: 1, retryCount: 5}]})
    expect(json.violations).toContainEqual(expect.objectContaining({invariant: 'outbox-drained', detail: expect.stringContaining('gave up on it after 5 failed publishes')}))
  }, 90_000)
})
