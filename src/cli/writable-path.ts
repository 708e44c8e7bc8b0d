import {accessSync, constants, existsSync, mkdirSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {checkWriteTarget, writeTarget, type WriteTarget} from '../sim/files/safe-write.js'
import {InputError} from '../sim/input-error.js'

/** Makes sure `dir` exists (creating it) and is a writable directory, before any work is done. */
export function ensureWritableDir(flag: string, dir: string): string {
  const path = resolve(dir)
  try {
    if (existsSync(path)) {
      if (!statSync(path).isDirectory()) throw new InputError(`${flag} ${dir}: exists and is not a directory`)
    } else {
      createLevelByLevel(path)
    }
    accessSync(path, constants.W_OK)
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${flag} ${dir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return path
}

/**
 * mkdir -p without `recursive`: Node's recursive mkdir spins forever under some virtual file
 * systems (/proc), while one level at a time fails at once with a clear errno.
 */
function createLevelByLevel(path: string): void {
  const missing: string[] = []
  let current = path
  while (!existsSync(current)) {
    missing.unshift(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const dir of missing) mkdirSync(dir)
}

/**
 * Makes sure `file` may be written under racelab's one rule for the files it writes
 * (src/sim/files/safe-write.ts): its directory exists and is writable, and the path is new, a
 * file racelab wrote (`ours`) or, with --force, any regular file; never a symlink, a directory,
 * a FIFO or a device. Checked before any work is done; the write checks again.
 */
export function ensureWritableFile(flag: string, file: string, options: {force?: boolean; ours?: (head: string) => boolean} = {}): WriteTarget {
  const target = writeTarget(flag, file, options)
  checkWriteTarget(target)
  const dir = dirname(target.path)
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${flag} ${file}: ${dir} is not a directory`)
    accessSync(dir, constants.W_OK)
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${flag} ${file}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return target
}
