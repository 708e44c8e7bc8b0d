import {InputError} from '../input-error.js'

/** The default wall-clock time a consumer process has to answer one request (`--handler-timeout`). */
export const DEFAULT_HANDLER_TIMEOUT_MS = 5000

/** A consumer process to run in place of ELS (`--handler-cmd`, docs/handler-protocol.md). */
export interface HandlerCommand {
  /** The command as the user gave it (reports and reproduce commands show it). */
  command: string
  /** Wall-clock milliseconds the process has to answer one request; later stops the run (exit 2). */
  timeoutMs: number
}

/**
 * Splits a command into words as a shell would, without running a shell: words split on blanks,
 * single quotes keep everything, double quotes and backslashes escape. racelab starts the program
 * itself, so a restart's SIGKILL reaches the consumer and not a shell around it; what needs a
 * shell (pipes, `&&`, `$VAR`) is refused with one line.
 */
export function commandWords(command: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: "'" | '"' | undefined
  for (let i = 0; i < command.length; i++) {
    const c = command[i]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (c === '\\' && i + 1 < command.length && (quote === undefined || '"\\$`'.includes(command[i + 1]))) {
      word = (word ?? '') + command[++i]
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if ('$`'.includes(c)) refuse(command, c)
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      word ??= ''
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if ('|&;<>()$`*?[]{}~#'.includes(c)) {
      refuse(command, c)
    } else {
      word = (word ?? '') + c
    }
  }
  if (quote !== undefined) throw new InputError(`--handler-cmd '${command}': an unclosed ${quote} quote`)
  if (word !== undefined) words.push(word)
  if (words.length === 0) throw new InputError('--handler-cmd: an empty command; name the program that runs your consumer, e.g. --handler-cmd \'/usr/bin/python3 examples/python/els_buffer.py\'')
  return words
}

function refuse(command: string, c: string): never {
  throw new InputError(`--handler-cmd '${command}': "${c}" needs a shell, and racelab starts the program itself (so a restart's SIGKILL reaches it); put the shell part in a script`)
}
