import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import type {TraceEvent} from '../../src/sim/trace/trace-event.js'
import {hasKcat, SKIP_LINE, startCluster, type Exit} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

const root = resolve(import.meta.dirname, '../..')

/**
 * `racelab run --kafka` in a process of its own, its timeline read as it streams: `onLine` sees
 * every stdout line as it arrives.
 */
function runStreaming(args: string[], onLine: (line: string) => void): Promise<Exit> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) onLine(line)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) => done({code, stdout, stderr}))
  })
}

describe.skipIf(!hasKcat)('a broker that dies mid-run (live)', () => {
  let cluster: RunningCluster | undefined

  afterAll(async () => {
    await cluster?.stop()
  })

  it('the run ends at once, FAIL, exit 1: the relays say the broker is unreachable and give the rows up after 5 publishes (or a consumer gives up first)', async () => {
    // Given: a 25-essay batch whose files are committed 3 to 4 s after its registration, on a
    // cluster of its own
    cluster = await startCluster()
    const trace = join(mkdtempSync(join(tmpdir(), 'racelab-broker-dies-')), 'trace.jsonl')
    let killed: Promise<void> | undefined

    // When: the whole cluster goes as soon as the registration reached it, before any file
    const exit = await runStreaming(
      ['run', '--kafka', cluster.servers, '--scenario', 'large-batch', '--strategy', 'buffer', '--seed', '1', '--delay', 'file-processing=3s..4s', '--trace', trace],
      (line) => {
        if (killed === undefined && / bos-relay +published /.test(line)) killed = cluster!.stop()
      },
    )
    await killed

    // Then: the run did not sit until its 60 s cap; it ended as soon as nothing could progress.
    // Two things can notice first that the broker is gone: the relays, which give their rows up
    // after 5 failed publishes, or a consumer whose kafkajs client stops retrying (it crashes for
    // good). Either ends the run at once, FAIL, exit 1, saying which.
    expect(killed).toBeDefined()
    expect(exit.code).toBe(1)
    const stopped = /stopped: (\S+)/.exec(exit.stdout)?.[1]
    expect(['relays-gave-up', 'consumer-crashed']).toContain(stopped)
    expect(Number(/wall clock ([\d.]+) s/.exec(exit.stdout)?.[1])).toBeLessThan(60)
    const events = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as TraceEvent)
    if (stopped === 'consumer-crashed') {
      expect(exit.stdout).toMatch(/liveness +\* +the run never became quiet: a consumer crashed for good/)
      return
    }
    expect(exit.stdout).toMatch(/ended early: the relays gave up \d+ rows?/)
    expect(exit.stdout).toMatch(/liveness +\* +the run never became quiet: the relays gave up rows/)
    expect(exit.stdout).toMatch(/file-relay +cannot reach the broker \(/)
    expect(exit.stdout).toMatch(/file-relay +GAVE UP row \d+ after 5 failed publishes/)
    expect(exit.stdout).toMatch(/given up after 5 failed publishes, last error: /)
    // The broker is reported unreachable before any row is given up, and once per relay
    const unreachable = events.filter((e) => e.ev === 'broker-unreachable')
    const givenUp = events.filter((e) => e.ev === 'publish-given-up')
    expect(unreachable.length).toBeGreaterThan(0)
    expect(new Set(unreachable.map((e) => e.svc)).size).toBe(unreachable.length)
    expect(givenUp.length).toBeGreaterThan(0)
    expect(events.indexOf(unreachable[0])).toBeLessThan(events.indexOf(givenUp[0]))
    // Nothing happens after the last row was given up but the end of the run (and its judgement)
    const lastGivenUp = givenUp[givenUp.length - 1]
    expect(events.slice(events.indexOf(lastGivenUp) + 1).every((e) => ['publish-given-up', 'publish-failed', 'broker-unreachable'].includes(e.ev))).toBe(true)
  }, 240_000) // a safety net: on a loaded machine the clients take long to give up on a dead broker
})
