import {execFileSync, spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import type {HandlerCommand} from '../../../src/sim/consumer/handler-command.js'
import {commandWords} from '../../../src/sim/consumer/handler-command.js'
import {probeHandlerCommand} from '../../../src/sim/consumer/process-consumer.js'
import {InputError} from '../../../src/sim/input-error.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'

const MISBEHAVING = 'test/sim/consumer/consumers/misbehaving.py'
const BUFFER = '/usr/bin/python3 examples/python/els_buffer.py'
const MEMORY = '/usr/bin/python3 examples/python/els_memory_buffer.py'
const cmd = (command: string, timeoutMs = 5000): HandlerCommand => ({command, timeoutMs})
const misbehaving = (mode: string, timeoutMs?: number) => cmd(`/usr/bin/python3 ${MISBEHAVING} ${mode}`, timeoutMs)
const contentFirst = (handlerCmd: HandlerCommand) => runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 1, handlerCmd})
const fault = (text: string) => {
  const parsed = parseFaultSpec(text)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.value
}

/** Processes whose command line holds `marker` (pgrep), to check none is left behind. */
function running(marker: string): number {
  try {
    return Number(execFileSync('pgrep', ['-f', '-c', `${marker}$`], {encoding: 'utf8'}).trim())
  } catch {
    return 0 // pgrep exits 1 when nothing matches
  }
}

describe('commandWords (--handler-cmd, split as a shell would, no shell run)', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    // Given / When / Then
    expect(commandWords(`/usr/bin/python3  'my dir/els.py' "a b" c\\ d`)).toEqual(['/usr/bin/python3', 'my dir/els.py', 'a b', 'c d'])
  })

  it('refuses what needs a shell, an unclosed quote and an empty command, in one line each', () => {
    // Given / When / Then
    expect(() => commandWords('python3 els.py | tee log')).toThrow(/"\|" needs a shell/)
    expect(() => commandWords('cd x && python3 els.py')).toThrow(/"&" needs a shell/)
    expect(() => commandWords('python3 "$HOME/els.py"')).toThrow(/"\$" needs a shell/)
    expect(() => commandWords("python3 'els.py")).toThrow(/unclosed ' quote/)
    expect(() => commandWords('   ')).toThrow(/an empty command/)
  })
})

describe('a consumer process in place of ELS (--handler-cmd)', () => {
  it('runs the Python buffer fix: content-first passes, every event through the process', () => {
    // When
    const {result, trace} = contentFirst(cmd(BUFFER))
    // Then
    expect(result.verdict).toBe('pass')
    expect(result.handler).toMatchObject({path: BUFFER, kind: 'command', failures: [], deadLettered: []})
    const handled = trace.filter((e) => e.ev === 'handled')
    expect(handled.length).toBeGreaterThan(0)
    expect(handled.every((e) => e.ev === 'handled' && e.outcome.kind === 'handler')).toBe(true)
    expect(trace.some((e) => e.ev === 'handled' && e.emitted.includes('huleedu.els.batch.essays.ready.v1'))).toBe(true)
  }, 30_000)

  it('is deterministic: the same seed gives the same trace, faults and three instances included', () => {
    // Given
    const options = {
      scenario: BUILTIN_SCENARIOS.get('random')!,
      strategy: 'buffer' as const,
      seed: 7,
      elsInstances: 3,
      faults: ['els-restart', 'crash=all', 'consumer-crash-before-commit'].map(fault),
      handlerCmd: cmd(BUFFER),
    }
    // When
    const first = runSimulation(options)
    const second = runSimulation(options)
    // Then
    expect(second.trace).toEqual(first.trace)
    expect(first.trace.some((e) => e.ev === 'els-crashed' || e.ev === 'els-restarted')).toBe(true)
  }, 60_000)

  it('a restart kills the process: a buffer kept in its memory is really lost', () => {
    // Given content before registration, and ELS restarting after every message
    const run = (command: string) =>
      runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'buffer', seed: 1, faults: [fault('els-restart@100%')], handlerCmd: cmd(command)})
    // When / Then: the durable buffer survives, the in-memory one does not
    expect(run(BUFFER).result.verdict).toBe('pass')
    const lost = run(MEMORY).result
    expect(lost.verdict).toBe('fail')
    expect(lost.violations.map((v) => v.invariant)).toEqual(expect.arrayContaining(['no-lost-content', 'ready-exactly-once']))
  }, 60_000)

  it('an error answer is a handler failure: retried, then dead-lettered on the 5th try', () => {
    // When
    const {result} = contentFirst(misbehaving('error-on-content'))
    // Then
    expect(result.handler!.failures.filter((f) => /text-b1-f1/.test(f))).toHaveLength(4)
    expect(result.handler!.failures[0]).toMatch(/^handler failure: .*misbehaving\.py error-on-content: onContent failed on EssayContentProvisioned .*\(try 1 of 5\): no disk space$/)
    expect(result.handler!.deadLettered).toHaveLength(2)
    expect(result.handler!.deadLettered[0]).toMatch(/5 times: no disk space/)
  }, 30_000)

  it('an answer that does not follow the protocol is a handler failure too, naming what is wrong', () => {
    // When
    const {result} = contentFirst(misbehaving('bad-answer'))
    // Then
    expect(result.handler!.failures[0]).toMatch(/a "handled" answer that does not follow the protocol: emit\.0\.data: /)
    expect(result.handler!.deadLettered.length).toBeGreaterThan(0)
  }, 30_000)

  it.each([
    ['a program that does not start', cmd('/nonexistent/consumer'), /'\/nonexistent\/consumer' \(els\): does not start: spawn \/nonexistent\/consumer ENOENT/],
    ['a process that exits at init, with its stderr', misbehaving('exit-at-init'), /exited \(code 3\) answering init\n {2}its stderr, last lines:\n {4}cannot open the database/],
    ['garbage instead of ready', misbehaving('garbage-at-init'), /wrote to stdout outside the protocol, answering init: "hello from the consumer" \(print diagnostics to stderr\)/],
  ])('refuses %s before any run: one line naming the command (exit 2)', (_what, handlerCmd, message) => {
    // When / Then
    expect(() => probeHandlerCommand(handlerCmd)).toThrow(InputError)
    expect(() => probeHandlerCommand(handlerCmd)).toThrow(message)
  }, 30_000)

  it.each([
    ['exits mid-run', misbehaving('exit'), /misbehaving\.py exit' \(els\): exited \(code 1\) onContent of EssayContentProvisioned .* at 0\.\d+s\n {2}its stderr, last lines:\n {4}Traceback: something broke/],
    ['answers garbage', misbehaving('garbage'), /wrote to stdout outside the protocol, onContent of .*: "debug: got a message"/],
    ['answers late (--handler-timeout)', misbehaving('silent', 300), /did not answer within 300 ms \(--handler-timeout\), onContent of EssayContentProvisioned/],
  ])('stops the run when the process %s: exit 2, and the process is gone', (_what, handlerCmd, message) => {
    // When / Then
    expect(() => contentFirst(handlerCmd)).toThrow(InputError)
    expect(() => contentFirst(handlerCmd)).toThrow(message)
    // Only the started-ahead spares (at most 3) remain; the process that failed was killed.
    expect(running(handlerCmd.command)).toBeLessThanOrEqual(3)
  }, 30_000)

  it('leaves no process behind when racelab exits', () => {
    // Given a command line unique to this test
    const marker = `leftover-check-${process.pid}`
    // When racelab runs it (with restarts) and exits
    // (it answers every message with nothing, so the run fails its invariants: exit 1)
    const ran = spawnSync('node', ['bin/run.js', 'run', '--scenario', 'content-first', '--fault', 'els-restart@50%', '--handler-cmd', `/usr/bin/python3 ${MISBEHAVING} ${marker}`, '--json'], {encoding: 'utf8'})
    expect(ran.status).toBe(1)
    expect(JSON.parse(ran.stdout)).toMatchObject({verdict: 'fail', handler: {kind: 'command'}})
    // Then none of its processes (spares included) is still running
    expect(running(marker)).toBe(0)
  }, 60_000)
})
