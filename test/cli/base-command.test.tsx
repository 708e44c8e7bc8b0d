import {resolve} from 'node:path'

import {Flags} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {Box, Text} from 'ink'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {BaseCommand} from '../../src/cli/base-command.js'
import {FixtureProblemsError} from '../../src/cli/errors.js'
import {scheduleFlag} from '../../src/cli/sim-flags.js'
import {KafkaUnreachableError} from '../../src/sim/bus/kafkajs-bus.js'
import {RecordingError} from '../../src/sim/fixture/from-kafka/observed-order.js'
import {InputError} from '../../src/sim/input-error.js'
import {ClusterStartError, KcatMissingError} from '../../src/kafka-cluster/mock-cluster.js'

const root = resolve(import.meta.dirname, '../..')

/** A command (id `probe`) that parses --count and --schedule, then throws `error`, if any. */
function probeThrowing(error?: Error, flags: Record<string, unknown> = {}) {
  return class Probe extends BaseCommand {
    static override id = 'probe'
    static override flags = {count: Flags.integer({min: 1}), schedule: scheduleFlag(), ...flags}
    async run(): Promise<void> {
      await this.parse(Probe)
      if (error) throw error
    }
  }
}

async function probe(error?: Error, {args = [], flags}: {args?: string[]; flags?: Record<string, unknown>} = {}) {
  const Probe = probeThrowing(error, flags)
  return captureOutput(() => Probe.run(args, {root}))
}

const stderrLines = (stderr: string) => stderr.trimEnd().split('\n')
const STACK_FRAME = /\n\s+at /

describe('BaseCommand: the error map', () => {
  let debug: string | undefined
  beforeEach(() => {
    debug = process.env.RACELAB_DEBUG
    delete process.env.RACELAB_DEBUG
  })
  afterEach(() => {
    if (debug === undefined) delete process.env.RACELAB_DEBUG
    else process.env.RACELAB_DEBUG = debug
  })

  it.each([
    ['InputError', new InputError('--db x: exists and is not a directory'), 'Error: --db x: exists and is not a directory (see: racelab probe --help)'],
    [
      'KafkaUnreachableError',
      new KafkaUnreachableError(['127.0.0.1:1'], 'Connection error: connect ECONNREFUSED 127.0.0.1:1', 300),
      'Error: --kafka: cannot reach Kafka at 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1 (gave up after 0.3 s) (see: racelab probe --help)',
    ],
    [
      'KcatMissingError',
      new KcatMissingError('not on PATH'),
      'Error: kcat not found (not on PATH): install the Debian package kcat (apt-get install kcat), or set RACELAB_KCAT to its path (see: racelab probe --help)',
    ],
    ['RecordingError', new RecordingError('the topics under prefix "p-" hold no message'), 'Error: --from-kafka: the topics under prefix "p-" hold no message (see: racelab probe --help)'],
  ])('%s is bad input: exit 2, one line naming what is wrong and pointing at --help, no stack', async (_name, thrown, line) => {
    // Given a command that throws it
    // When
    const {error, stderr, stdout} = await probe(thrown)
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderrLines(stderr)).toEqual([line])
    expect(stderr).not.toMatch(STACK_FRAME)
    expect(stdout).toBe('')
  })

  it('KafkaUnreachableError names --from-kafka in a command that has that flag and no --kafka', async () => {
    // Given record's flags
    const flags = {'from-kafka': Flags.string()}
    // When
    const {error, stderr} = await probe(new KafkaUnreachableError(['h:1'], 'refused', 100), {flags})
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderrLines(stderr)).toEqual([expect.stringMatching(/^Error: --from-kafka: cannot reach Kafka at h:1: refused/)])
  })

  it('FixtureProblemsError: exit 2, exactly one stderr line per problem, nothing added', async () => {
    // Given
    const problems = ['a.yaml:3: topology.batches[0].essays: should be at least 1', 'b.yaml:1: version: is missing']
    // When
    const {error, stderr} = await probe(new FixtureProblemsError(problems))
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderrLines(stderr)).toEqual(problems)
  })

  it("a flag oclif rejects: exit 2, oclif's message on one line", async () => {
    // When
    const {error, stderr} = await probe(undefined, {args: ['--count', '0']})
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderrLines(stderr)).toEqual(['Error: Parsing --count: Expected an integer greater than or equal to 1 but received: 0 (see: racelab probe --help)'])
  })

  it('a flag whose own parser names it: exit 2, the line starts with the flag, not with "Parsing"', async () => {
    // When
    const {error, stderr} = await probe(undefined, {args: ['--schedule', '1,!!']})
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderrLines(stderr)).toEqual(['Error: --schedule: schedule item 2 is "!!", expected a base-36 number (see: racelab probe --help)'])
  })

  it.each([
    ['ClusterStartError', new ClusterStartError('kcat exited: the mock cluster is gone')],
    ['TypeError', new TypeError('cannot read properties of undefined (reading "x")')],
    ['an Error of several lines', new Error('first\nsecond')],
  ])('%s is internal: exit 3, one line, no --help pointer, no stack', async (_name, thrown) => {
    // When
    const {error, stderr} = await probe(thrown)
    // Then
    expect(error?.oclif?.exit).toBe(3)
    expect(stderrLines(stderr)).toHaveLength(1)
    expect(stderr).toMatch(/^Error: \S/)
    expect(stderr).not.toContain('--help')
    expect(stderr).not.toMatch(STACK_FRAME)
  })

  it('RACELAB_DEBUG=1 adds the stack to stderr (and keeps the exit code)', async () => {
    // Given
    process.env.RACELAB_DEBUG = '1'
    // When
    const {error, stderr} = await probe(new InputError('--db x: bad'))
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toMatch(STACK_FRAME)
    expect(stderr).toContain('Error: --db x: bad')
  })

  it('a violated invariant stays exit 1, with nothing on stderr: failAfterReport is not an error to map', async () => {
    // Given
    class Violated extends BaseCommand {
      static override id = 'violated'
      async run(): Promise<void> {
        await this.parse(Violated)
        this.failAfterReport({verdict: 'fail'})
      }
    }
    // When
    const {error, stderr, stdout} = await captureOutput(() => Violated.run(['--json'], {root}))
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stderr).toBe('')
    expect(JSON.parse(stdout)).toEqual({verdict: 'fail'})
  })
})

/** How many times Report was rendered. */
let reports = 0

function Report({title, width}: {title: string; width: number}) {
  reports += 1
  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      <Text>{'x'.repeat(width)}</Text>
    </Box>
  )
}

/** A command that renders Report and returns {rendered: true}. */
class Renders extends BaseCommand {
  static override id = 'renders'
  static override flags = {width: Flags.integer({default: 10})}
  async run(): Promise<{rendered: boolean}> {
    const {flags} = await this.parse(Renders)
    await this.render(Report, {title: 'report', width: flags.width})
    return {rendered: true}
  }
}

describe('BaseCommand: render(View, props)', () => {
  it('prints the view as text, one line per Text', async () => {
    // Given
    reports = 0
    // When
    const {stdout, error} = await captureOutput(() => Renders.run([], {root}))
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toBe(`report\n${'x'.repeat(10)}\n`)
    expect(reports).toBe(1)
  })

  it('renders 1000 columns wide: a 300-character line is not wrapped at the terminal width', async () => {
    // When
    const {stdout} = await captureOutput(() => Renders.run(['--width', '300'], {root}))
    // Then
    expect(stdout.split('\n')).toContain('x'.repeat(300))
  })

  it('does not even render the view under --json: stdout is the JSON alone', async () => {
    // Given
    reports = 0
    // When
    const {stdout, error} = await captureOutput(() => Renders.run(['--json'], {root}))
    // Then
    expect(error).toBeUndefined()
    expect(JSON.parse(stdout)).toEqual({rendered: true})
    expect(reports).toBe(0)
  })
})
