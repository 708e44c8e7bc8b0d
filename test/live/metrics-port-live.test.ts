import {spawn} from 'node:child_process'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {parsePrometheusText, valueOf} from '../export/prometheus-text.js'
import {hasKcat, racelab, SKIP_LINE, startCluster} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

const root = resolve(import.meta.dirname, '../..')

describe.skipIf(!hasKcat)('racelab run --kafka --metrics-port on a local mock cluster', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster(1)
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('serves the metrics so far while the run runs, on 127.0.0.1, and stops serving when it ends', async () => {
    // Given a live buffer run of content-first (BOS's relay 2 s behind), any free port
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), 'run', '--kafka', cluster.servers, '--scenario', 'content-first', '--strategy', 'buffer', '--metrics-port', '0', '--json'])
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdout.on('data', (chunk) => (stdout += chunk))
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    let running = true
    void exited.then(() => (running = false))

    // When: scrape every 100 ms while it runs
    const scrapes: string[] = []
    let url: string | undefined
    while (running) {
      url ??= /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr)?.[1]
      if (url !== undefined) {
        try {
          const response = await fetch(url)
          expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
          scrapes.push(await response.text())
        } catch {
          // the run ended between two scrapes
        }
      }
      await new Promise((done) => setTimeout(done, 100))
    }

    // Then the run passed, scrapes came in while it ran, each parses, and the buffer's count only grew
    expect(await exited).toBe(0)
    expect(JSON.parse(stdout).verdict).toBe('pass')
    expect(url).toBeDefined()
    expect(scrapes.length).toBeGreaterThan(2)
    const stored = scrapes.map((text) => valueOf(parsePrometheusText(text), 'racelab_els_pending_stored_total', 'racelab_els_pending_stored_total'))
    expect(stored).toEqual([...stored].sort((a, b) => a - b))
    expect(stored.at(-1)).toBeLessThanOrEqual(2)
    await expect(fetch(url!)).rejects.toThrow()
  }, 90_000)
})

describe('--metrics-port without a cluster', () => {
  it('is bad input in memory: a simulated run is over at once', async () => {
    // When
    const {code, stderr} = await racelab(['run', '--scenario', 'content-first', '--metrics-port', '0'])

    // Then
    expect(code).toBe(2)
    expect(stderr).toContain('--metrics FILE')
  })
})
