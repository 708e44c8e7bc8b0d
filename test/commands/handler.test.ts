import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const racelab = (args: string[]) => runCommand(args, {root})
const BUFFER = 'examples/handlers/buffer.ts'
const dir = mkdtempSync(join(tmpdir(), 'racelab-handler-cli-'))
const FIX = JSON.stringify(join(root, BUFFER))
// The modules here are ES modules, as in a package of "type": "module" (tsx reads .ts as CommonJS otherwise).
writeFileSync(join(dir, 'package.json'), '{"type": "module"}')

function module(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** The example fix with its onContent replaced by `body`. */
function withContent(name: string, body: string): string {
  return module(
    name,
    `import fix from ${FIX}
export default {migrate: fix.migrate, create(config) {
  const inner = fix.create(config)
  return {
    onRegistered: (e, ctx) => inner.onRegistered(e, ctx),
    onValidationFailed: (e, ctx) => inner.onValidationFailed(e, ctx),
    nextTimerAt: (ctx) => inner.nextTimerAt(ctx),
    onTimer: (ctx) => inner.onTimer(ctx),
    onContent(e: any, ctx: any) { ${body} },
  }
}}
`,
  )
}

describe('--handler: bad modules are one line naming the file, exit 2', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'missing.ts'), /missing\.ts: no such file/],
    ['a syntax error', () => module('syntax.ts', 'export default {create( }'), /syntax\.ts: does not load: .*ERROR/],
    ['a module without the export', () => module('named.mjs', 'export const migrate = () => {}'), /named\.mjs: no default export/],
    ['a handler without onContent', () => module('shape.mjs', 'export default {migrate() {}, create: () => ({onRegistered() {}, onValidationFailed() {}})}'), /shape\.mjs: .* no onContent\(event, ctx\) method/],
  ]
  for (const [what, path, message] of cases) {
    for (const command of ['run', 'verify', 'step', 'replay']) {
      it(`${command}: ${what}`, async () => {
        // When
        const args = command === 'replay' ? ['replay', 'fixtures/post-fix-bugs', '--handler', path()] : [command, '--handler', path(), ...(command === 'verify' ? ['--seeds', '1'] : [])]
        const {stderr, stdout, error} = await racelab(args)
        // Then
        expect(error?.oclif?.exit).toBe(2)
        const lines = stderr.trim().split('\n')
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatch(/--handler /)
        expect(lines[0]).toMatch(message)
        expect(stdout).toBe('')
      })
    }
  }
})

describe('racelab run --handler', () => {
  it('names the handler in the report and the reproduce command', async () => {
    // When
    const {stdout, error} = await racelab(['run', '--scenario', 'content-first', '--handler', BUFFER])
    // Then
    expect(error).toBeUndefined()
    expect(stdout).toContain(`racelab run: scenario content-first, strategy buffer, seed 1, chooser random, handler ${BUFFER}`)
    expect(stdout).toContain('handler onContent(text-b1-f1)')
    expect(stdout).toContain(`reproduce: racelab run --scenario content-first --strategy buffer --seed 1 --handler ${BUFFER}`)
  })

  it('a handler that throws on a message: a handler failure naming the event and the error, dead-lettered, the run goes on (exit 1 for the lost content)', async () => {
    // Given
    const path = withContent('throws.ts', `if (e.data.file_upload_id === 'b1-f2') throw new Error('no such table: slots'); return inner.onContent(e, ctx)`)
    // When
    const {stdout, error} = await racelab(['run', '--scenario', 'registration-first', '--batches', '2', '--handler', path, '--json'])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    const json = JSON.parse(stdout)
    expect(json.handler.failures).toHaveLength(4)
    expect(json.handler.failures[0]).toMatch(/throws\.ts: onContent threw on EssayContentProvisioned text-b1-f2 \(batch b1, event [0-9a-f-]{36}\) \(try 1 of 5\): no such table: slots$/)
    expect(json.handler.deadLettered).toEqual([expect.stringMatching(/text-b1-f2 .* 5 times: no such table: slots$/)])
    expect(json.violations.map((v: {invariant: string; batchId: string}) => `${v.invariant} ${v.batchId}`)).toEqual(['ready-exactly-once b1', 'no-lost-content b1'])
    expect(json.batches.find((b: {batchId: string}) => b.batchId === 'b2').ready).toBe(1)
  })

  it('the human report lists the handler failures', async () => {
    // Given
    const path = withContent('throws-human.ts', `throw new Error('kaputt')`)
    // When
    const {stdout, error} = await racelab(['run', '--scenario', 'registration-first', '--handler', path])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toMatch(/handler failures: 8 calls threw \(rolled back, retried\); 2 messages dead-lettered/)
    expect(stdout).toMatch(/onContent threw on EssayContentProvisioned text-b1-f1 .*: kaputt/)
  })

  it('a handler that calls Date.now(): "handler is nondeterministic", naming the first event, exit 2', async () => {
    // Given
    const path = withContent('clock.ts', `ctx.db.prepare('SELECT ?').get(Date.now()); return inner.onContent(e, ctx)`)
    // When
    const {stderr, stdout, error} = await racelab(['run', '--scenario', 'content-first', '--handler', path])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stdout).toBe('')
    const lines = stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/handler is nondeterministic \(scenario \S+, strategy buffer, seed 1\): it called Date\.now\(\) \(.*clock\.ts, onContent, handling EssayContentProvisioned text-b1-f2 \(batch b1, event [0-9a-f-]{36}\) at 0\.\d{3}s\)/)
  })

  it('state kept outside the run (a module-level variable) shows as two runs of the same seed that differ: exit 2', async () => {
    // Given a handler that fails the first content it ever sees, once per process
    const path = withContent('module-state.ts', `globalThis.__seen ??= 0; if (globalThis.__seen++ === 0) throw new Error('cold cache'); return inner.onContent(e, ctx)`)
    // When
    const {stderr, error} = await racelab(['run', '--scenario', 'content-first', '--handler', path])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/module-state\.ts: handler is nondeterministic: two runs of seed 1 differ first at event \d+: ".*FAILED and rolled back.*cold cache.*", then ".*handler onContent/)
  })

  it('refuses --kafka: a handler runs in the simulator', async () => {
    // When
    const {stderr, error} = await racelab(['run', '--handler', BUFFER, '--kafka', '127.0.0.1:1'])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toMatch(/--handler runs a handler in the simulator/)
  })
})

describe('racelab verify --handler', () => {
  it('expects pass in every cell and names the handler in the report, the JUnit file and the JSON', async () => {
    // Given
    const junit = join(dir, 'verify.xml')
    const bug = 'examples/handlers/7-early-validation-failure.ts'
    // When
    const {stdout, error} = await racelab(['verify', '--handler', bug, '--scenario', 'validation-failure,registration-first', '--seeds', '3', '--workers', '1', '--junit', junit])
    // Then
    expect(error?.oclif?.exit).toBe(1)
    expect(stdout).toContain(`handler ${bug} in place of each strategy’s ELS; no expectations declared, so every cell is expected to pass`)
    expect(stdout).toMatch(/validation-failure\s+buffer\s+pass\s+3\s+3\s+ready-exactly-once×3/)
    expect(stdout).toMatch(/registration-first\s+buffer\s+pass\s+3\s+0/)
    expect(stdout).not.toMatch(/\bnaive\b/)
    expect(stdout).toContain(`--handler ${bug}`)
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain(`<property name="handler" value="${bug}"/>`)
    expect(xml).toContain(`name="buffer + handler ${bug}"`)
    expect(xml).toMatch(new RegExp(`replay: racelab run --scenario validation-failure --strategy buffer --seed \\d+ .*--handler ${bug.replace(/[.]/g, '\\.')}`))
  })

  it('--json: the handler at the top and in every cell and counterexample', async () => {
    // When
    const {stdout} = await racelab(['verify', '--handler', 'examples/handlers/7-early-validation-failure.ts', '--scenario', 'validation-failure', '--strategy', 'buffer', '--seeds', '2', '--workers', '1', '--json'])
    // Then
    const json = JSON.parse(stdout)
    expect(json.handler).toBe('examples/handlers/7-early-validation-failure.ts')
    const [cell] = json.cells
    expect(cell.expectation).toEqual({outcome: 'pass', invariants: []})
    expect(cell.reproduce).toContain('--handler examples/handlers/7-early-validation-failure.ts')
    expect(cell.counterexample.options.handler).toBe('examples/handlers/7-early-validation-failure.ts')
    expect(cell.counterexample.replay).toContain('--handler examples/handlers/7-early-validation-failure.ts')
  })
})

describe('racelab step and replay --handler', () => {
  it('step --json reproduces with the handler', async () => {
    // When
    const {stdout, error} = await racelab(['step', '--scenario', 'content-first', '--handler', BUFFER, '--json'])
    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json.reproduce).toBe(`racelab run --scenario content-first --strategy buffer --seed 1 --handler ${BUFFER}`)
    expect(json.handler.path).toBe(BUFFER)
  })

  it('replay: each fixture once, expected to do what it expects of buffer; a bug handler mismatches', async () => {
    // When
    const fix = await racelab(['replay', 'fixtures/post-fix-bugs', '--handler', BUFFER, '--json'])
    const bug = await racelab(['replay', 'fixtures/post-fix-bugs/7-early-validation-failure.yaml', '--handler', 'examples/handlers/7-early-validation-failure.ts', '--json'])
    // Then
    expect(fix.error).toBeUndefined()
    expect(JSON.parse(fix.stdout)).toMatchObject({verdict: 'match', handler: BUFFER, counts: {fixtures: 7, replays: 7, matched: 7}})
    expect(bug.error?.oclif?.exit).toBe(1)
    expect(JSON.parse(bug.stdout).fixtures[0].replays[0]).toMatchObject({strategy: 'buffer', verdict: 'mismatch', expected: 'pass'})
  })

  it('replay refuses --strategy with --handler', async () => {
    // When
    const {stderr, error} = await racelab(['replay', 'fixtures/post-fix-bugs', '--handler', BUFFER, '--strategy', 'naive'])
    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toMatch(/--strategy: with --handler each fixture is replayed once/)
  })
})
