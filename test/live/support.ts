import {execFile} from 'node:child_process'
import {join, resolve} from 'node:path'
import {promisify} from 'node:util'

import {findKcat, startMockCluster, type RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'

/** Live tests need kcat (Debian package kcat): it brings librdkafka's mock cluster. */
export const kcat = findKcat()
export const hasKcat = kcat !== undefined

/** The one line a test run prints when the live tests cannot run. */
export const SKIP_LINE = 'live Kafka tests skipped: kcat not found on PATH (install the Debian package kcat to run them)'

/** A 3-broker mock cluster for one test file, started through the same launcher as `racelab kafka up`. */
export function startCluster(brokers = 3): Promise<RunningCluster> {
  return startMockCluster({brokers})
}

/** Every message value of a topic, read with kcat from the beginning to the end (-e). */
export async function kcatValues(servers: string, topic: string): Promise<string[]> {
  const {stdout} = await promisify(execFile)(kcat!, ['-C', '-b', servers, '-t', topic, '-e', '-q', '-f', '%s\\n'], {timeout: 20_000})
  return stdout.split('\n').filter((line) => line.trim() !== '')
}

const root = resolve(import.meta.dirname, '../..')

export interface Exit {
  code: number | null
  stdout: string
  stderr: string
}

/** The built CLI in a process of its own: real exit code, its own stdout. */
export function racelab(args: string[], timeout = 60_000): Promise<Exit> {
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'bin/run.js'), ...args], {timeout}, (error, stdout, stderr) => {
      done({code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr})
    })
  })
}
