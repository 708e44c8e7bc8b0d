import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

import {parsePrometheusText, valueOf} from '../export/prometheus-text.js'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

interface Handled {
  ev: string
  outcome?: {kind: string; drained?: number}
  emitted?: string[]
}

/** A run's --metrics file and its --trace, read back. */
async function metricsAndTrace(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'racelab-metrics-'))
  const result = await run([...args, '--metrics', join(dir, 'run.prom'), '--trace', join(dir, 'run.jsonl'), '--json'])
  const trace = readFileSync(join(dir, 'run.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Handled)
  const text = readFileSync(join(dir, 'run.prom'), 'utf8')
  return {result, text, metrics: parsePrometheusText(text), trace}
}

describe('run --metrics', () => {
  it('writes the metrics at the end of the run, in Prometheus text, and replaces its own file', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-metrics-')), 'run.prom')

    // When
    const first = await run(['--scenario', 'content-first', '--strategy', 'buffer', '--metrics', file, '--json'])
    const again = await run(['--scenario', 'content-first', '--strategy', 'buffer', '--metrics', file, '--json'])

    // Then
    expect(first.error).toBeUndefined()
    expect(again.error).toBeUndefined()
    const metrics = parsePrometheusText(readFileSync(file, 'utf8'))
    expect(valueOf(metrics, 'racelab_els_pending_stored_total', 'racelab_els_pending_stored_total')).toBe(JSON.parse(again.stdout).metrics.pendingStored)
  })

  it('refuses a file of the user without --force, and --force with nothing to write', async () => {
    // Given
    const file = join(mkdtempSync(join(tmpdir(), 'racelab-metrics-')), 'mine.txt')
    writeFileSync(file, 'mine\n')

    // When
    const mine = await run(['--metrics', file])
    const forced = await run(['--metrics', file, '--force'])
    const nothing = await run(['--force'])

    // Then
    expect(mine.error?.oclif?.exit).toBe(2)
    expect(mine.stderr).toContain('--metrics')
    expect(forced.error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toMatch(/^# racelab metrics:/)
    expect(nothing.error?.oclif?.exit).toBe(2)
    expect(nothing.stderr).toContain('--force')
  })

  it('its dead letters and reconciled failures equal what the trace shows; a handler’s buffer metrics, which racelab cannot see, are not written as zeros', async () => {
    // Given a handler module that throws on one content (dead-lettered after its last try), and an
    // early validation failure that the buffer drains as a failed slot
    const dir = mkdtempSync(join(tmpdir(), 'racelab-metrics-'))
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}')
    const handler = join(dir, 'throws.ts')
    writeFileSync(
      handler,
      `import fix from ${JSON.stringify(join(root, 'examples/handlers/buffer.ts'))}
export default {migrate: fix.migrate, create(config) {
  const inner = fix.create(config)
  return {
    onRegistered: (e, ctx) => inner.onRegistered(e, ctx),
    onValidationFailed: (e, ctx) => inner.onValidationFailed(e, ctx),
    nextTimerAt: (ctx) => inner.nextTimerAt(ctx),
    onTimer: (ctx) => inner.onTimer(ctx),
    onContent(e: any, ctx: any) { if (e.data.file_upload_id === 'b1-f2') throw new Error('kaputt'); return inner.onContent(e, ctx) },
  }
}}
`,
    )

    // When
    const dead = await metricsAndTrace(['--scenario', 'registration-first', '--batches', '2', '--handler', handler])
    const failed = await metricsAndTrace(['--scenario', 'validation-failure', '--strategy', 'buffer'])

    // Then
    expect(dead.result.error?.oclif?.exit).toBe(1)
    const deadLettered = dead.trace.filter((e) => e.ev === 'handled' && e.outcome?.kind === 'dead-lettered').length
    expect(deadLettered).toBe(1)
    expect(valueOf(dead.metrics, 'racelab_els_dead_letters_total', 'racelab_els_dead_letters_total')).toBe(deadLettered)
    expect([...dead.metrics.keys()].filter((name) => name.startsWith('racelab_els_pending'))).toEqual([])
    expect(dead.text).toContain('# no racelab_els_pending_* metrics: the consumer is --handler, whose buffer is its own\n')
    expect(failed.result.error).toBeUndefined()
    const drainedFailures = failed.trace
      .filter((e) => e.ev === 'handled' && e.outcome?.kind === 'registered')
      .reduce((sum, e) => sum + (e.outcome!.drained ?? 0) - e.emitted!.filter((t) => t.endsWith('slot.assigned.v1') || t.endsWith('excess.content.provisioned.v1')).length, 0)
    expect(drainedFailures).toBe(1)
    expect(valueOf(failed.metrics, 'racelab_els_pending_reconciled_total', 'racelab_els_pending_reconciled_total', {outcome: 'failed'})).toBe(drainedFailures)
  })

  it('run --json carries ELS\'s buffer metrics for the built-in consumer, and none for a user\'s handler, whose buffer is its own', async () => {
    // Given the same run, with racelab's ELS and with a handler module in its place
    const args = ['--scenario', 'content-first', '--strategy', 'buffer', '--json']
    // When each runs
    const builtIn = JSON.parse((await run(args)).stdout) as {metrics?: {pendingStored: number}}
    const handler = JSON.parse((await run([...args, '--handler', 'examples/handlers/buffer.ts'])).stdout) as {verdict: string; metrics?: unknown}
    // Then the built-in run counts the two early contents it stored, and the handler run claims no figures
    expect(builtIn.metrics?.pendingStored).toBe(2)
    expect(handler.verdict).toBe('pass')
    expect(Object.keys(handler)).not.toContain('metrics')
  })
})

