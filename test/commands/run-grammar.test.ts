import {resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const run = (args: string[]) => runCommand(['run', ...args], {root})

describe('racelab run: every delay, wake and fault grammar error is one stderr line naming the flag, exit 2', () => {
  it.each([
    ['unknown delay target', ['--delay', 'nope=2s'], '--delay', 'unknown delay target "nope"'],
    ['bad unit', ['--delay', 'bos-relay=2x'], '--delay', 'unknown unit "x"'],
    ['missing unit', ['--delay', 'bos-relay=2'], '--delay', 'has no unit'],
    ['inverted range', ['--delay', 'file-processing=2s..300ms'], '--delay', 'inverted range'],
    ['negative delay', ['--delay', 'kafka=-5ms'], '--delay', 'is negative'],
    ['range for a fixed-only target', ['--delay', 'pending-timeout=1s..2s'], '--delay', 'takes one value, not a range'],
    ['no TARGET=VALUE', ['--delay', 'bos-relay'], '--delay', 'should be TARGET=VALUE'],
    ['unknown wake service', ['--wake', 'kafka=off'], '--wake', 'unknown service "kafka"'],
    ['bad wake state', ['--wake', 'bos=maybe'], '--wake', 'should be SERVICE=on|off'],
    ['unknown fault', ['--fault', 'meteor-strike'], '--fault', 'unknown fault "meteor-strike"'],
    ['unknown relay', ['--fault', 'relay-crash-after-publish=kafka'], '--fault', 'unknown relay "kafka"'],
    ['missing window', ['--fault', 'broker-unavailable'], '--fault', 'needs a window'],
    ['inverted window', ['--fault', 'broker-unavailable=3s..1s'], '--fault', 'inverted range'],
    ['bad percentage', ['--fault', 'els-restart@150%'], '--fault', 'should be a percentage from 0% to 100%'],
    ['argument for a chance-only fault', ['--fault', 'els-restart=now'], '--fault', 'takes no argument'],
    ['a seed racelab cannot count past', ['--seed', '9007199254740993'], '--seed', '4294967295'],
    ['a seed past 2^32 - 1', ['--seed', '4294967296'], '--seed', '4294967295'],
    ['a relay crash every time', ['--fault', 'relay-crash-after-publish@100%'], '--fault', 'never ends'],
    ['a consumer crash every time', ['--fault', 'consumer-crash-before-commit@100%'], '--fault', 'never ends'],
    ['a registration error every time', ['--fault', 'register-db-error@100%'], '--fault', 'never ends'],
    ['an outage past 30 days', ['--fault', 'broker-unavailable=0..1000h'], '--fault', 'at most 30 days'],
    ['a prototype name as a target', ['--delay', '__proto__=1s'], '--delay', 'unknown delay target "__proto__"'],
    ['a prototype name as a fault', ['--fault', 'constructor'], '--fault', 'unknown fault "constructor"'],
    ['a prototype name as a service', ['--wake', 'toString=on'], '--wake', 'should be SERVICE=on|off'],
    ['an ANSI escape in a value', ['--delay', 'kafka=\u001B[31m'], '--delay "kafka=\\u001b[31m"', 'is not a duration'],
    ['a good flag before a bad one', ['--delay', 'kafka=5ms', '--delay', 'els=1q'], '--delay els=1q', 'unknown unit "q"'],
  ])('%s', async (_what, args, flag, message) => {
    // When
    const {stdout, stderr, error} = await run(args)

    // Then
    expect(error?.oclif?.exit).toBe(2)
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(flag)
    expect(lines[0]).toContain(message)
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(stdout).toBe('')
  })

  it('a valid delay, wake and fault run and are echoed in the reproduce line', async () => {
    // When
    const {stdout, error} = await run([
      '--scenario', 'content-first', '--strategy', 'buffer', '--json',
      '--delay', 'bos-relay=1s', '--wake', 'bos=off', '--fault', 'els-restart@5%', '--els-instances', '2',
    ])

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.verdict).toBe('pass')
    expect(json.reproduce).toContain("--delay 'bos-relay=1s'")
    expect(json.reproduce).toContain('--wake bos=off')
    expect(json.reproduce).toContain("--fault 'els-restart@5%'")
    expect(json.reproduce).toContain('--els-instances 2')
  })
})
