import {randomBytes} from 'node:crypto'
import {chmodSync, closeSync, fsyncSync, linkSync, lstatSync, openSync, readSync, renameSync, rmSync, writeSync, type Stats} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

import {InputError} from '../input-error.js'

/**
 * The one rule for every file racelab writes (--trace, --junit, --out, the kafka state file):
 *
 * - a new path, or an existing REGULAR file, is written; a directory, a FIFO, a device
 *   (/dev/zero) or a socket is refused, with or without --force;
 * - a symlink at the path is refused, even with --force: racelab never writes through a link;
 * - an existing file is replaced only with --force, EXCEPT a file racelab wrote itself, proven by
 *   what that writer always puts at its start (`ours`, below);
 * - the text goes to a temporary file in the same directory, which is then renamed over the
 *   path (or hard-linked to it, when the path must still be new): a failed write leaves the old
 *   file whole and never a half-written one.
 *
 * Which files count as racelab's own, and why: a demanding user reruns `run --trace t.jsonl` and
 * `verify --junit reports/x.xml` (CI does, in the same workspace) and expects the report to be
 * replaced; the same user would be furious to lose a file of their own that they mistyped as
 * the target. So a generated report racelab can recognise by its first bytes (a trace line's
 * fixed `{"t":N,"svc":"...","ev":"..."` key order; the JUnit header racelab always writes) is
 * replaced, like --db replaces only databases carrying racelab's application id. A fixture
 * (`record --out`) has no such exemption: it is source a user edits and commits, and its content
 * cannot prove it was not edited since, so replacing one always takes --force.
 */
export interface WriteTarget {
  /** The flag the path came from, for messages (`--trace`). */
  readonly flag: string
  /** The path as the user typed it. */
  readonly shown: string
  /** The absolute path. */
  readonly path: string
  readonly force: boolean
  /** Recognises a file racelab wrote from its first bytes (up to HEAD_BYTES). */
  readonly ours?: (head: string) => boolean
}

const HEAD_BYTES = 4096

/** The files racelab recognises as its own (see above). */
export const OWN_FILES = {
  /** A `--trace`: JSON lines, every line starting with the trace event's fixed key order. */
  trace: (head: string) => /^\{"t":\d+,"svc":"[^"\n]*","ev":"[a-z-]+"/.test(head),
  /** A `--junit` report: the header `junitXml` always writes. */
  junit: (head: string) => head.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="racelab verify" '),
} as const

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The first bytes of a regular file (never more, so a huge file costs nothing). */
export function fileHead(path: string, bytes = HEAD_BYTES): string {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const buffer = Buffer.alloc(bytes)
    const read = readSync(fd, buffer, 0, bytes, 0)
    return buffer.toString('utf8', 0, read)
  } catch {
    return ''
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Throws an InputError (one line naming the file) unless `target` may be written now. Returns
 * whether a file is there to be replaced.
 */
export function checkWriteTarget(target: WriteTarget): {replaces: boolean} {
  const {flag, shown, path} = target
  if (shown === '') throw new InputError(`${flag}: an empty path; name a file`)
  let stats: Stats | undefined
  try {
    stats = lstatOrUndefined(path)
  } catch (error) {
    throw new InputError(`${flag} ${shown}: cannot write there (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (stats === undefined) return {replaces: false}
  if (stats.isSymbolicLink()) throw new InputError(`${flag} ${shown}: is a symlink; racelab never writes through one, even with --force (name the file itself)`)
  if (stats.isDirectory()) throw new InputError(`${flag} ${shown}: is a directory`)
  if (!stats.isFile()) throw new InputError(`${flag} ${shown}: exists and is not a regular file (a FIFO, device or socket); racelab writes only regular files`)
  if (!target.force && !(target.ours?.(fileHead(path)) ?? false)) {
    const why = target.ours === undefined ? 'exists' : 'exists and is not one racelab wrote'
    throw new InputError(`${flag} ${shown}: ${why} (add --force to replace it)`)
  }
  return {replaces: true}
}

/**
 * Writes `text` to `target` under the rule above: checked again at write time (the file may have
 * appeared, or become a symlink, while racelab worked), written to a temporary file next to it,
 * then moved into place in one step.
 */
export function writeFileSafely(target: WriteTarget, text: string | Uint8Array): void {
  const file = openSafely(target)
  file.write(text)
  file.commit()
}

/**
 * A file being written under the rule above: its temporary file, open. `write` appends (a failed
 * write removes the temporary file and is one line naming the flag and the file), `commit` moves
 * it into place, `abandon` removes it.
 */
export interface SafeFile {
  write(text: string | Uint8Array): void
  commit(): void
  abandon(): void
}

/**
 * Opens the temporary file `writeFileSafely` writes, for a writer that writes as it goes (a trace
 * streamed while its run runs, `trace/trace-stream.ts`): checked now, and again when committed.
 */
export function openSafely(target: WriteTarget): SafeFile {
  checkWriteTarget(target)
  const {path} = target
  // Named by pid and random bytes (never the clock: the core reads none), created O_EXCL.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let fd: number
  try {
    // 'wx': O_CREAT|O_EXCL, so the temporary file is new and never a link someone planted.
    fd = openSync(temporary, 'wx', 0o666)
  } catch (error) {
    throw cannotWrite(target, error)
  }
  let open = true
  const close = (): void => {
    if (open) closeSync(fd)
    open = false
  }
  return {
    write(text: string | Uint8Array): void {
      try {
        writeSync(fd, typeof text === 'string' ? Buffer.from(text) : text)
      } catch (error) {
        close()
        rmSync(temporary, {force: true})
        throw cannotWrite(target, error)
      }
    },
    commit(): void {
      try {
        fsyncSync(fd)
        close()
        // Checked again: the file may have appeared, or become a symlink, while racelab worked.
        const {replaces} = checkWriteTarget(target)
        if (replaces) {
          const old = lstatOrUndefined(path)
          if (old?.isFile()) chmodSync(temporary, old.mode & 0o7777)
          renameSync(temporary, path)
        } else {
          moveIntoNewPath(temporary, target)
        }
      } catch (error) {
        close()
        rmSync(temporary, {force: true})
        throw cannotWrite(target, error)
      }
    },
    abandon(): void {
      close()
      rmSync(temporary, {force: true})
    },
  }
}

function cannotWrite(target: WriteTarget, error: unknown): InputError {
  if (error instanceof InputError) return error
  return new InputError(`${target.flag} ${target.shown}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
}

/** The path was new when checked: link (fails if something appeared meanwhile), else rename. */
function moveIntoNewPath(temporary: string, target: WriteTarget): void {
  try {
    linkSync(temporary, target.path)
    rmSync(temporary, {force: true})
  } catch (error) {
    // Something appeared while racelab worked: judged by the same rule (this throws if it may not be replaced).
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') checkWriteTarget(target)
    // Replaceable, or no hard links on this file system (the check just ran): rename.
    renameSync(temporary, target.path)
  }
}

/** A target for `file` given with `flag`. */
export function writeTarget(flag: string, file: string, options: {force?: boolean; ours?: (head: string) => boolean} = {}): WriteTarget {
  return {flag, shown: file, path: resolve(file), force: options.force ?? false, ours: options.ours}
}
