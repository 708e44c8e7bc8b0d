import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {hasKcat, racelab, SKIP_LINE, startCluster} from './support.js'

const root = resolve(import.meta.dirname, '../..')
/** Debian's python3 (never a pyenv one): python3-confluent-kafka is installed for it. */
const PYTHON = '/usr/bin/python3'
const hasConfluentKafka = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import confluent_kafka'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()
if (!hasKcat) console.log(SKIP_LINE)
else if (!hasConfluentKafka) console.log(`Python Kafka consumer tests skipped: ${PYTHON} cannot import confluent_kafka (install the Debian package python3-confluent-kafka)`)

interface Consumer {
  process: ChildProcess
  output: () => string
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>
}

/** Starts a consumer service and waits for its one ready line (never for ever). */
async function startConsumer(command: string, args: string[]): Promise<Consumer> {
  const child = spawn(command, args, {cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ready line within 60 s:\n${output}`)), 60_000)
    const check = (): void => {
      if (/ready/.test(output)) {
        clearTimeout(timer)
        ready()
      }
    }
    child.stdout!.on('data', check)
    void exited.then(() => fail(new Error(`the consumer exited before it was ready:\n${output}`)))
  })
  return {
    process: child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** A black-box run of content-first against whatever consumes `prefix`'s topics. */
async function blackBox(cluster: RunningCluster, prefix: string, extra: string[] = []) {
  const {code, stdout, stderr} = await racelab(['run', '--kafka', cluster.servers, '--els', 'external', '--topic-prefix', prefix, '--scenario', 'content-first', '--json', ...extra], 90_000)
  return {code, stderr, json: JSON.parse(stdout)}
}

const invariantsOf = (json: {violations: {invariant: string}[]}): string[] => [...new Set(json.violations.map((v) => v.invariant))].sort()

describe.skipIf(!hasKcat)('black-box: racelab run --els external against a consumer in another process', () => {
  let cluster: RunningCluster
  const prefix = (name: string): string => `bb-${process.pid}-${name}-`

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('racelab els --strategy buffer passes, says what it could not judge, and stops cleanly on SIGTERM', async () => {
    // Given: the fix as a service of its own
    const consumer = await startConsumer(process.execPath, [join(root, 'bin/run.js'), 'els', '--kafka', cluster.servers, '--strategy', 'buffer', '--topic-prefix', prefix('buffer')])

    // When: one run, then a verify of 2 more seeds against the same consumer (its database keeps the earlier batches)
    const {code, json} = await blackBox(cluster, prefix('buffer'))
    const verify = await racelab(['verify', '--kafka', cluster.servers, '--els', 'external', '--topic-prefix', prefix('buffer'), '--scenario', 'content-first', '--seeds', '2', '--json'], 120_000)
    const exit = await consumer.stop()

    // Then: the fix holds on the wire, judged from its topics; what they cannot show is listed
    expect(code).toBe(0)
    expect(json.verdict).toBe('pass')
    expect(json.stoppedBy).toBe('quiet')
    // 2 assignments and 1 Ready, all for this run's batch
    expect(json.blackBox.answered).toBe(3)
    expect(json.batches).toEqual([expect.objectContaining({batchId: `${json.blackBox.batchPrefix}b1`, assigned: 2, ready: 1, excess: 0})])
    expect(json.blackBox.watched).toEqual([
      `${prefix('buffer')}huleedu.els.essay.slot.assigned.v1`,
      `${prefix('buffer')}huleedu.els.excess.content.provisioned.v1`,
      `${prefix('buffer')}huleedu.els.batch.essays.ready.v1`,
    ])
    const notJudged = json.blackBox.notJudged.map((n: {invariant: string}) => n.invariant)
    expect(notJudged).toEqual(expect.arrayContaining(['failures-counted-once', 'metrics-agree', 'no-lost-content', 'outbox-drained']))
    // racelab's ELS names its outbox rows, so ELS's commit order is judged
    expect(notJudged).not.toContain('ready-after-assignments')
    // verify: naive and buffer publish alike, so one cell, 2 live runs, each its own batches, expected to pass
    expect(verify.code, verify.stdout + verify.stderr).toBe(0)
    const verified = JSON.parse(verify.stdout)
    expect(verified.cells).toHaveLength(1)
    expect(verified.cells[0]).toMatchObject({scenario: 'content-first', matched: true, shrink: null})
    expect(verified.cells[0].liveRuns.map((run: {verdict: string}) => run.verdict)).toEqual(['pass', 'pass'])
    // Ctrl-C / SIGTERM: commits, closes, exits 0
    expect(exit).toBe(0)
    expect(consumer.output()).toContain('racelab els: stopped (SIGTERM)')
  }, 150_000)

  it('racelab els --strategy naive fails on content-first: the race, judged from outside', async () => {
    // Given
    const consumer = await startConsumer(process.execPath, [join(root, 'bin/run.js'), 'els', '--kafka', cluster.servers, '--strategy', 'naive', '--topic-prefix', prefix('naive')])

    // When
    const {code, json} = await blackBox(cluster, prefix('naive'))
    await consumer.stop()

    // Then
    expect(code).toBe(1)
    expect(invariantsOf(json)).toEqual(['no-false-excess', 'ready-exactly-once'])
  }, 150_000)

  it('racelab els --handler PATH --json: a handler module as the service, one JSON object per line', async () => {
    // Given
    const consumer = await startConsumer(process.execPath, [join(root, 'bin/run.js'), 'els', '--kafka', cluster.servers, '--handler', 'examples/handlers/buffer.ts', '--topic-prefix', prefix('handler'), '--json'])

    // When
    const {code, json} = await blackBox(cluster, prefix('handler'))
    const exit = await consumer.stop()

    // Then
    expect(code).toBe(0)
    expect(json.verdict).toBe('pass')
    const lines = consumer.output().trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as {event: string; handler?: string; ev?: string})
    expect(lines[0]).toMatchObject({event: 'ready', handler: 'examples/handlers/buffer.ts', group: `${prefix('handler')}essay-lifecycle-service`})
    expect(lines.filter((line) => line.event === 'trace' && line.ev === 'handled')).toHaveLength(3)
    expect(lines.at(-1)).toEqual({event: 'stopped', signal: 'SIGTERM'})
    expect(exit).toBe(0)
  }, 150_000)

  it('no consumer on the topics: "no consumer answered", naming the topics watched, exit 1, no hang', async () => {
    // When: nothing consumes this prefix
    const {code, json, stderr} = await blackBox(cluster, prefix('nobody'))

    // Then
    expect(code).toBe(1)
    expect(json.stoppedBy).toBe('no-consumer-answered')
    expect(json.violations).toHaveLength(1)
    expect(json.violations[0].detail).toContain('no consumer answered')
    expect(json.violations[0].detail).toContain(`${prefix('nobody')}huleedu.els.batch.essays.ready.v1`)
    expect(json.violations[0].detail).toContain(`${prefix('nobody')}huleedu.batch.essays.registered.v1`)
    expect(json.blackBox.answered).toBe(0)
    expect(stderr).toBe('')
  }, 150_000)

  describe.skipIf(!hasConfluentKafka)('the Python Kafka consumer (examples/python/els_kafka.py)', () => {
    it('passes as the fix, naming its outbox rows', async () => {
      // Given
      const consumer = await startConsumer(PYTHON, ['examples/python/els_kafka.py', '--bootstrap', cluster.servers, '--topic-prefix', prefix('py-buffer')])

      // When
      const {code, json} = await blackBox(cluster, prefix('py-buffer'))
      const exit = await consumer.stop()

      // Then
      expect(code).toBe(0)
      expect(json.verdict).toBe('pass')
      expect(json.blackBox.answered).toBe(3)
      expect(json.blackBox.notJudged.map((n: {invariant: string}) => n.invariant)).not.toContain('ready-after-assignments')
      expect(exit).toBe(0)
      expect(consumer.output()).toContain('els_kafka: stopped')
    }, 150_000)

    it('fails on content-first as --naive', async () => {
      // Given
      const consumer = await startConsumer(PYTHON, ['examples/python/els_kafka.py', '--bootstrap', cluster.servers, '--topic-prefix', prefix('py-naive'), '--naive'])

      // When
      const {code, json} = await blackBox(cluster, prefix('py-naive'))
      await consumer.stop()

      // Then
      expect(code).toBe(1)
      expect(invariantsOf(json)).toEqual(['no-false-excess', 'ready-exactly-once'])
    }, 150_000)
  })
})
