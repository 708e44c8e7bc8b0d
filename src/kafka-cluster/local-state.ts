import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {DEFAULT_STATE_FILE} from './mock-cluster.js'

/** Where `--kafka local` and `kafka status`/`kafka down` without --state found, or looked for, the state file. */
export interface FoundStateFile {
  /** The nearest .racelab/kafka.json, or the current directory's when there is none. */
  path: string
  found: boolean
}

/**
 * The state file of the cluster `racelab kafka up --detach` started: .racelab/kafka.json in the
 * current directory or the nearest parent that has one (as git finds .git), so that a cluster
 * started at the top of a checkout is `local` anywhere inside it.
 */
export function findStateFile(from: string = process.cwd()): FoundStateFile {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const path = join(dir, DEFAULT_STATE_FILE)
    if (existsSync(path)) return {path, found: true}
    if (dirname(dir) === dir) return {path: join(resolve(from), DEFAULT_STATE_FILE), found: false}
  }
}
