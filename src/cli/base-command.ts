import {Command} from '@oclif/core'

import {EXIT, InputError} from '../sim/input-error.js'

/**
 * The one place that owns errors and exit codes: bad input is one line and exit 2, a violated
 * invariant is exit 1 (after the report is printed), anything unexpected is one line and exit 3.
 * Never a stack trace (set RACELAB_DEBUG=1 to get one).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** Ends the command with exit code 1 after its report was printed (JSON included). */
  protected failAfterReport(result: object): never {
    if (this.jsonEnabled()) this.logJson(result)
    this.exit(EXIT.violated)
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}; code?: string}): Promise<unknown> {
    // oclif signals help, version and this.exit() through errors that carry an exit code.
    if (error.oclif?.exit !== undefined && !isParseError(error)) throw error
    if (process.env.RACELAB_DEBUG) console.error(error.stack)
    const input = error instanceof InputError || isParseError(error)
    const line = firstLine(error.message)
    const hint = input ? ` (see: racelab ${(this.id ?? '').replaceAll(':', ' ')} --help)`.replace('  ', ' ') : ''
    // Straight to stderr: oclif's logToStderr is silent under --json, and bad input must always say why.
    process.stderr.write(`Error: ${line}${hint}\n`)
    return this.exit(input ? EXIT.badInput : EXIT.internal)
  }
}

function isParseError(error: Error & {oclif?: {exit?: number}; code?: string}): boolean {
  return error.oclif?.exit === 2 || error.constructor.name.endsWith('Error') && /Flag|Arg|Parse|Options|Validation/.test(error.constructor.name)
}

/**
 * One line from a message: oclif's multi-line parse errors joined with ": ", and "Parsing --x:"
 * dropped where the flag's own parser already named it (`--schedule: item 1 is ...`).
 */
function firstLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('See more help'))
    .join(': ')
    .replace(/:\s*:/g, ':')
    .replace(/^Parsing (--[\w-]+): (?=\1\b)/, '')
}
