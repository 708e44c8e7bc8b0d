import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
// runCommand joins its arguments and splits them again, keeping double quotes together.
const BUFFER = '--handler-cmd="/usr/bin/python3 examples/python/els_buffer.py"'

describe('--handler-cmd on the commands', () => {
  it('run: a consumer process in place of ELS, named in the report and the reproduce command', async () => {
    // When
    const {stdout, error} = await runCommand(['run', '--scenario', 'content-first', BUFFER, '--json'], {root})
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', handler: {kind: 'command', path: '/usr/bin/python3 examples/python/els_buffer.py'}})
    expect(json.reproduce).toContain(`--handler-cmd '/usr/bin/python3 examples/python/els_buffer.py'`)
  }, 60_000)

  it.each([
    [['run', '--handler', 'examples/handlers/buffer.ts', BUFFER], /--handler and --handler-cmd: one consumer runs in place of ELS/],
    [['verify', '--handler', 'examples/handlers/buffer.ts', BUFFER], /--handler and --handler-cmd: one consumer runs in place of ELS/],
    [['run', '--handler-timeout', '100'], /--handler-timeout .* goes with --handler-cmd/],
    [['run', '--kafka', 'localhost:9092', BUFFER], /--handler-cmd runs a consumer process in the simulator/],
    [['replay', 'fixtures/post-fix-bugs', '--strategy', 'naive', BUFFER], /--strategy: with --handler-cmd each fixture is replayed once/],
    [['step', '--handler-cmd="/nonexistent/consumer"'], /--handler-cmd '\/nonexistent\/consumer' \(els\): does not start/],
  ])('refuses %j in one line, exit 2', async (args, message) => {
    // When
    const {stderr, error} = await runCommand(args, {root})
    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(message)
  }, 60_000)
})
