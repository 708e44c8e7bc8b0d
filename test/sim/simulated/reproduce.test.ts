import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {readTraceFile} from '../../../src/export/trace-jsonl.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {decodeSchedule} from '../../../src/sim/kernel/schedule.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {parseFaultSpec} from '../../../src/sim/scenario/fault-spec.js'
import {commandForOptions} from '../../../src/sim/simulated/reproduce.js'
import {runSimulation, type RunOptions} from '../../../src/sim/simulated/run-simulation.js'

const root = resolve(import.meta.dirname, '../../..')

/** Runs a printed `racelab run ...` line as a user pastes it (the built CLI, dist/), its trace to a file. */
function replay(command: string): ReturnType<typeof readTraceFile> {
  const trace = join(mkdtempSync(join(tmpdir(), 'racelab-reproduce-')), 'trace.jsonl')
  const script = `racelab() { node ${JSON.stringify(join(root, 'bin/run.js'))} "$@"; }\n${command} --trace ${trace} --json > /dev/null || test $? -eq 1`
  execFileSync('bash', ['-c', script], {cwd: root})
  return readTraceFile('--trace', trace)
}

describe('commandForOptions', () => {
  it('carries --invalid: the printed command replays the same trace, invalid uploads included', () => {
    // Given a run with invalid uploads, a fault and a schedule, as a shrunk counterexample has them
    const fault = parseFaultSpec('els-restart@20%')
    if (!fault.ok) throw new Error(fault.error)
    const first = runSimulation({scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed: 3, essays: 3, invalid: 1, faults: [fault.value]})
    const options: RunOptions = {scenario: BUILTIN_SCENARIOS.get('content-first')!, strategy: 'naive', seed: 3, essays: 3, invalid: 1, faults: [fault.value], schedule: decodeSchedule(first.result.schedule)}
    const expected = runSimulation(options).trace
    // When
    const command = commandForOptions(options)
    const replayed = replay(command)
    // Then
    expect(command).toContain('--invalid 1')
    expect(replayed).toEqual(JSON.parse(JSON.stringify(expected)))
    expect(expected.some((e) => e.ev === 'handled' && e.type === TOPICS.essayValidationFailed)).toBe(true)
  })

  it('writes no --invalid for a run that had none', () => {
    // When
    const command = commandForOptions({scenario: BUILTIN_SCENARIOS.get('partial')!, strategy: 'buffer', seed: 1})
    // Then
    expect(command).toBe('racelab run --scenario partial --strategy buffer --seed 1')
  })
})
