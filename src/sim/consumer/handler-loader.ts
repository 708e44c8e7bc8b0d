import {existsSync, statSync} from 'node:fs'
import {extname, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {InputError} from '../input-error.js'
import {SECOND} from '../kernel/time.js'
import type {ElsHandlerDefinition} from './els-handler.js'
import type {LoadedHandler} from './handler-consumer.js'
import {closeHandlerDb, openHandlerDb} from './handler-db.js'
import {NondeterminismTrap} from './nondeterminism-trap.js'

const EXTENSIONS = ['.js', '.mjs', '.ts', '.mts']

/** Handlers loaded in this thread, by absolute path: a verify worker loads each once. */
const loaded = new Map<string, LoadedHandler>()

/**
 * Loads a user's ELS handler module (docs/handlers.md) and checks its shape: a default export with
 * `migrate(db)` and `create(config)`, whose handler has the three message calls. `.ts` goes
 * through tsx. Anything wrong is an InputError naming the file and what is missing (exit 2).
 */
export async function loadHandler(path: string): Promise<LoadedHandler> {
  const absolute = resolve(path)
  const cached = loaded.get(absolute)
  if (cached) return {...cached, path}
  const fail = (what: string): never => {
    throw new InputError(`--handler ${path}: ${what}`)
  }
  if (!existsSync(absolute)) fail('no such file')
  if (!statSync(absolute).isFile()) fail('not a file')
  if (!EXTENSIONS.includes(extname(absolute))) fail(`an ES module ends in ${EXTENSIONS.join(', ')} (not ${extname(absolute) || 'no extension'})`)
  let module: {default?: unknown}
  try {
    module = await importModule(absolute)
  } catch (error) {
    return fail(`does not load: ${firstLine(error)}`)
  }
  const definition = module.default
  if (definition === undefined) fail('no default export (export default {migrate, create}, an ElsHandlerDefinition)')
  if (typeof definition !== 'object' || definition === null) fail(`the default export is a ${typeof definition}, not an ElsHandlerDefinition {migrate, create}`)
  const shape = definition as Record<string, unknown>
  for (const name of ['migrate', 'create']) {
    if (typeof shape[name] !== 'function') fail(`the default export has no ${name}() function (an ElsHandlerDefinition has migrate(db) and create(config))`)
  }
  const handler: LoadedHandler = {path, definition: definition as ElsHandlerDefinition}
  checkMigration(handler, fail)
  checkHandler(handler.definition, fail)
  loaded.set(absolute, handler)
  return handler
}

/** A handler loaded before in this thread (runs are synchronous; loading is not). */
export function loadedHandler(path: string): LoadedHandler {
  const found = loaded.get(resolve(path))
  if (!found) throw new Error(`handler ${path} was not loaded in this thread (loadHandler first)`)
  return {...found, path}
}

async function importModule(absolute: string): Promise<{default?: unknown}> {
  const url = pathToFileURL(absolute).href
  if (!absolute.endsWith('.ts') && !absolute.endsWith('.mts')) return import(url)
  // tsx compiles the module (and what it imports) without registering a loader for the process.
  const {tsImport} = await import('tsx/esm/api')
  return tsImport(url, import.meta.url)
}

/** migrate once over an empty database now, so a failing migration is reported before any run. */
function checkMigration(handler: LoadedHandler, fail: (what: string) => never): void {
  try {
    closeHandlerDb(openHandlerDb(handler))
  } catch (error) {
    if (error instanceof InputError) fail(error.message)
    fail(`migrate(db) failed: ${firstLine(error)}`)
  }
}

/** create() once, to check the handler it returns has every call racelab makes. */
function checkHandler(definition: ElsHandlerDefinition, fail: (what: string) => never): void {
  let handler: unknown
  try {
    handler = new NondeterminismTrap().run(() => 'in create', () => definition.create({instance: 'els', pendingTimeout: 24 * 3600 * SECOND}))
  } catch (error) {
    if (error instanceof InputError) fail(error.message)
    fail(`create(config) failed: ${firstLine(error)}`)
  }
  if (typeof handler !== 'object' || handler === null) return fail(`create(config) returned ${handler === null ? 'null' : typeof handler}, not an ElsHandler`)
  const calls = handler as Record<string, unknown>
  for (const name of ['onRegistered', 'onContent', 'onValidationFailed']) {
    if (typeof calls[name] !== 'function') fail(`the handler create(config) returns has no ${name}(event, ctx) method`)
  }
  for (const name of ['nextTimerAt', 'onTimer']) {
    if (calls[name] !== undefined && typeof calls[name] !== 'function') fail(`the handler's ${name} is a ${typeof calls[name]}, not a method`)
  }
  if ((calls.onTimer === undefined) !== (calls.nextTimerAt === undefined)) {
    fail(`the handler has ${calls.onTimer === undefined ? 'nextTimerAt but no onTimer' : 'onTimer but no nextTimerAt (racelab asks nextTimerAt when to call onTimer)'}`)
  }
}

/** The line of an error that says what is wrong (esbuild's says "Transform failed" first, then where and what). */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '')
  return lines.find((line) => /ERROR:/.test(line)) ?? lines[0] ?? text
}
