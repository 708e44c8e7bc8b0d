import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadHandler, loadedHandler} from '../../../src/sim/consumer/handler-loader.js'
import {InputError} from '../../../src/sim/input-error.js'

const dir = mkdtempSync(join(tmpdir(), 'racelab-handlers-'))

/** A module file in a fresh directory (never under the suite's typecheck: some do not compile). */
function module(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const CALLS = 'onRegistered() {}, onContent() {}, onValidationFailed() {}'

async function loadError(path: string): Promise<Error> {
  const error = await loadHandler(path).then(
    () => undefined,
    (e: Error) => e,
  )
  if (error === undefined) throw new Error(`${path} loaded`)
  return error
}

describe('loadHandler', () => {
  it('loads the example buffer handler (.ts through tsx) and keeps it for synchronous runs', async () => {
    // When
    const loaded = await loadHandler('examples/handlers/buffer.ts')
    // Then
    expect(loaded.path).toBe('examples/handlers/buffer.ts')
    expect(typeof loaded.definition.create).toBe('function')
    expect(loadedHandler('examples/handlers/buffer.ts').definition).toBe(loaded.definition)
  })

  it('loads a .mjs module', async () => {
    // Given
    const path = module('plain.mjs', `export default {migrate(db) { db.exec('CREATE TABLE t (x)') }, create: () => ({${CALLS}})}`)
    // When / Then
    await expect(loadHandler(path)).resolves.toMatchObject({path})
  })

  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'missing.ts'), /missing\.ts: no such file$/],
    ['a syntax error', () => module('syntax.ts', 'export default {migrate(db) { db.exec( }'), /syntax\.ts: does not load: .*syntax\.ts:1:\d+: ERROR: /],
    ['a module without the default export', () => module('named.mjs', `export const handler = {}`), /named\.mjs: no default export \(export default \{migrate, create\}/],
    ['a default export of the wrong shape', () => module('fn.mjs', 'export default () => ({})'), /fn\.mjs: the default export is a function, not an ElsHandlerDefinition/],
    ['a definition without create', () => module('nocreate.mjs', 'export default {migrate() {}}'), /nocreate\.mjs: the default export has no create\(\) function/],
    ['a handler without onContent', () => module('nocontent.mjs', 'export default {migrate() {}, create: () => ({onRegistered() {}, onValidationFailed() {}})}'), /nocontent\.mjs: the handler create\(config\) returns has no onContent\(event, ctx\) method/],
    ['a timer without nextTimerAt', () => module('timer.mjs', `export default {migrate() {}, create: () => ({${CALLS}, onTimer() {}})}`), /timer\.mjs: the handler has onTimer but no nextTimerAt/],
    ['a failing migration', () => module('migrate.mjs', `export default {migrate(db) { db.exec('CREATE TABLE outbox (x)') }, create: () => ({${CALLS}})}`), /migrate\.mjs: migrate\(db\) failed: table outbox already exists/],
    ['a wrong extension', () => module('handler.cjs', 'module.exports = {}'), /handler\.cjs: an ES module ends in \.js, \.mjs, \.ts, \.mts/],
  ]
  for (const [what, path, message] of cases) {
    it(`refuses ${what} with one line naming the file (an InputError, exit 2)`, async () => {
      // When
      const error = await loadError(path())
      // Then
      expect(error).toBeInstanceOf(InputError)
      expect(error.message).toMatch(/^--handler \S+/)
      expect(error.message).toMatch(message)
      expect(error.message).not.toContain('\n')
    })
  }

  it('refuses a migration that reads the wall clock, naming the call', async () => {
    // Given
    const path = module('clock.mjs', `export default {migrate() { Date.now() }, create: () => ({${CALLS}})}`)
    // When
    const error = await loadError(path)
    // Then
    expect(error.message).toMatch(/clock\.mjs: handler is nondeterministic: it called Date\.now\(\) .*migrate/)
  })
})
