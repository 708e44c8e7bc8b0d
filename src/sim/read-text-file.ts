import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs'
import {digitGroups} from './digit-groups.js'

/** The largest file racelab reads (a fixture): 10 MB. The shipped fixtures are a few kB each. */
export const MAX_READ_BYTES = 10 * 1024 * 1024

export type TextRead = {ok: true; text: string} | {ok: false; message: string}

/**
 * Reads a UTF-8 text file that is a regular file of at most `maxBytes`, never anything else:
 * `/dev/zero`, `/dev/urandom`, a FIFO or a socket is refused at once (opened non-blocking, so a
 * FIFO with no writer cannot hang the open), before a byte is read. Never throws.
 */
export function readTextFile(file: string, maxBytes = MAX_READ_BYTES): TextRead {
  let fd: number | undefined
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
    const stat = fstatSync(fd)
    if (stat.isDirectory()) return {ok: false, message: 'is a directory'}
    if (!stat.isFile()) return {ok: false, message: 'is not a regular file (a device, FIFO or socket): racelab reads only files'}
    if (stat.size > maxBytes) return {ok: false, message: `is ${digitGroups(stat.size)} bytes: racelab reads files of at most ${digitGroups(maxBytes)} bytes`}
    const buffer = Buffer.alloc(stat.size)
    let read = 0
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read)
      if (n === 0) break
      read += n
    }
    return {ok: true, text: buffer.toString('utf8', 0, read)}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {ok: false, message: 'no such file'}
    if (code === 'EISDIR') return {ok: false, message: 'is a directory'}
    return {ok: false, message: `cannot read it (${code ?? (error as Error).message})`}
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
