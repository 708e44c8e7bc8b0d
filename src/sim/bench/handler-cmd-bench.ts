import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {HANDLER_DB_SCHEMA} from '../consumer/handler-db.js'
import {DEFAULT_HANDLER_TIMEOUT_MS} from '../consumer/handler-command.js'
import {probeHandlerCommand, ProcessConsumer} from '../consumer/process-consumer.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS} from '../domain/topics.js'
import {SECOND} from '../kernel/time.js'
import {BUILTIN_SCENARIOS} from '../scenario/builtin-scenarios.js'
import {runSimulation} from '../simulated/run-simulation.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {percentiles, type Percentiles} from './bench.js'

/** A consumer process's cost (docs/handler-protocol.md#cost): whole runs, and one protocol round trip. */
export interface HandlerCmdBench {
  scenario: string
  command: string
  runs: number
  /** Wall-clock ms per run of the built-in buffer strategy and of the process in its place, same seeds. */
  builtinMsPerRun: Percentiles
  msPerRun: Percentiles
  runsPerSecond: number
  /** One request answered: a `timer` with nothing to expire (the process opens and commits one transaction), in µs. */
  roundTrip: {requests: number; usPerRequest: Percentiles}
}

/**
 * Runs of `scenarioName` with the consumer process in place of ELS against the built-in buffer
 * strategy, seed by seed in turn, then `requests` round trips to one process. A run starts one
 * process per ELS instance (spares started ahead hide most of a start-up).
 */
export function benchHandlerCmd(command: string, scenarioName: string, runs: number, requests = 2000): HandlerCmdBench {
  const handlerCmd = {command, timeoutMs: DEFAULT_HANDLER_TIMEOUT_MS}
  probeHandlerCommand(handlerCmd)
  const scenario = BUILTIN_SCENARIOS.get(scenarioName)!
  const run = (seed: number, withProcess: boolean): number => {
    const t0 = performance.now()
    runSimulation({scenario, strategy: 'buffer', seed, ...(withProcess ? {handlerCmd} : {})})
    return performance.now() - t0
  }
  for (let seed = 0; seed < Math.min(3, runs); seed++) run(10_000 + seed, true)
  const builtin: number[] = []
  const timed: number[] = []
  for (let seed = 1; seed <= runs; seed++) {
    builtin.push(run(seed, false))
    timed.push(run(seed, true))
  }
  const msPerRun = percentiles(timed)
  return {
    scenario: scenarioName,
    command,
    runs,
    builtinMsPerRun: percentiles(builtin),
    msPerRun,
    runsPerSecond: Math.round((1000 / msPerRun.mean) * 10) / 10,
    roundTrip: {requests, usPerRequest: percentiles(roundTrips(handlerCmd, requests))},
  }
}

function roundTrips(handlerCmd: {command: string; timeoutMs: number}, requests: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'racelab-bench-els-'))
  const db = openServiceDb('els', HANDLER_DB_SCHEMA)
  const consumer = new ProcessConsumer(handlerCmd, new IdSource(0), {instance: 'els', pendingTimeout: 24 * 3600 * SECOND, topics: ELS_INPUT_TOPICS, dbPath: join(dir, 'els.sqlite')}, db, {at: undefined})
  try {
    const us: number[] = []
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now()
      consumer.onTimer(i)
      us.push((performance.now() - t0) * 1000)
    }
    return us
  } finally {
    consumer.close()
    closeServiceDb(db)
    rmSync(dir, {recursive: true, force: true})
  }
}
