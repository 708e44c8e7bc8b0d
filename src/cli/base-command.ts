import {Command, ux} from '@oclif/core'
import type {ComponentType} from 'react'

import {EXIT} from '../sim/input-error.js'
import {printable} from '../sim/printable.js'
import {colorFor, paint, type StyledLine} from '../ui/styled-line.js'

type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** How an error ends a command: its exit code and the lines for stderr. */
interface Failure {
  exit: ExitCode
  lines: readonly string[]
  /** Bad input ends with a pointer to the command's --help. */
  hint: boolean
}

type Thrown = Error & {oclif?: {exit?: number}; lines?: readonly string[]}

/**
 * The errors racelab expects, by class name, and what each one means. Matched by `error.name`
 * rather than instanceof, so that this module never imports the code that throws them: kafkajs,
 * the live shell and the fixture code stay unloaded until a command's run() needs them.
 */
const ERROR_MAP: Record<string, (error: Thrown, flags: Readonly<Record<string, unknown>>) => Failure> = {
  /** src/sim/input-error.ts: bad input, worded by whoever found it (it names the flag, file or field). */
  InputError: (error) => badInput(error.message),
  /** src/sim/bus/kafkajs-bus.ts: no broker answered; the message names the brokers, the line adds the flag (--kafka, record's --from-kafka). */
  KafkaUnreachableError: (error, flags) => badInput(`${'kafka' in flags || !('from-kafka' in flags) ? '--kafka' : '--from-kafka'}: ${error.message}`),
  /** src/kafka-cluster/mock-cluster.ts: no kcat, no mock cluster; the message names the package. */
  KcatMissingError: (error) => badInput(error.message),
  /** src/sim/fixture/from-kafka: what the topics hold cannot become a fixture. */
  RecordingError: (error) => badInput(`--from-kafka: ${error.message}`),
  /** src/cli/errors.ts: invalid fixtures, one line per problem, each naming its file, line and field. */
  FixtureProblemsError: (error) => ({exit: EXIT.badInput, lines: error.lines ?? [error.message], hint: false}),
}

function badInput(message: string): Failure {
  return {exit: EXIT.badInput, lines: [`Error: ${firstLine(message)}`], hint: true}
}

/**
 * The one place that owns errors and exit codes: bad input is one line and exit 2, a violated
 * invariant is exit 1 (after the report is printed), anything unexpected is one line and exit 3.
 * Never a stack trace (set RACELAB_DEBUG=1 to get one). No command catches or translates errors.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /**
   * Prints a static view (unless --json): ink's renderToString, 1000 columns wide so that no
   * line wraps. ink and react are loaded here, on first use, never when a command is imported.
   */
  protected async render<P extends object>(view: ComponentType<P>, props: P): Promise<void> {
    if (this.jsonEnabled()) return
    const [{renderToString}, {createElement}] = await Promise.all([import('ink'), import('react')])
    this.log(renderToString(createElement(view, props), {columns: 1000}))
  }

  /**
   * Prints report lines as text (unless --json), coloured as chalk would colour them: the path
   * of the first reproduction, which must not pay for loading ink and react.
   */
  protected print(lines: readonly StyledLine[]): void {
    if (this.jsonEnabled()) return
    const color = colorFor(process.stdout)
    this.log(lines.map((line) => paint(line, color)).join('\n'))
  }

  /**
   * --json as oclif prints it, without oclif's colouring where there is no colour to show: that
   * tokenizes the whole text and joins it again token by token, which for a 10,000-batch run's
   * 6.7 MB report took more memory than the run's judge (docs/benchmarks.md). Same bytes.
   */
  override logJson(json: unknown): void {
    if (colorFor(process.stdout)) super.logJson(json)
    else ux.stdout(JSON.stringify(json, undefined, 2))
  }

  /** Ends the command with exit code 1 after its report was printed (JSON included). */
  protected failAfterReport(result: object): never {
    if (this.jsonEnabled()) this.logJson(result)
    this.exit(EXIT.violated)
  }

  protected override async catch(error: Thrown): Promise<unknown> {
    // oclif signals help, version and this.exit() through errors that carry an exit code.
    if (error.oclif?.exit !== undefined && !isParseError(error)) throw error
    if (process.env.RACELAB_DEBUG) console.error(error.stack)
    const failure = this.failureOf(error)
    const hint = failure.hint ? ` (see: racelab ${(this.id ?? '').replaceAll(':', ' ')} --help)`.replace('  ', ' ') : ''
    // Straight to stderr: oclif's logToStderr is silent under --json, and bad input must always say why.
    // Control characters a value brought with it (an ANSI escape in a file name) are shown escaped.
    process.stderr.write(failure.lines.map((line, index) => printable(index === failure.lines.length - 1 ? line + hint : line)).join('\n') + '\n')
    return this.exit(failure.exit)
  }

  private failureOf(error: Thrown): Failure {
    const mapped = ERROR_MAP[error.name]
    if (mapped) return mapped(error, this.ctor.flags ?? {})
    if (isParseError(error)) return badInput(error.message)
    return {exit: EXIT.internal, lines: [`Error: ${firstLine(error.message)}`], hint: false}
  }
}

function isParseError(error: Thrown): boolean {
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
