import {readdirSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

// scripts/bundle-commands.mjs bundles dist/commands (npm run build, before the tests). What a
// command carries is what its start-up pays for: these check the bundle's shape, not its speed.

const dist = resolve(import.meta.dirname, '../../dist')
const bundled = [...['cli/main.js', 'cli/help.js'], ...readdirSync(join(dist, 'commands'), {recursive: true, encoding: 'utf8'}).map((f) => join('commands', f)), ...readdirSync(join(dist, 'chunks')).map((f) => join('chunks', f))]
  .filter((file) => file.endsWith('.js'))
  .map((file) => ({file, text: readFileSync(join(dist, file), 'utf8')}))

describe('the bundled commands', () => {
  it('carry zod once, without its locales: src imports zod as a namespace, which esbuild can shake', () => {
    // Given every bundled file, and the module comments esbuild writes before each module's code
    const carrying = (module: string) => bundled.filter(({text}) => text.includes(`// node_modules/zod/${module}`))
    // Then zod's schemas are in exactly one chunk, and no locale but English (zod's default) is anywhere
    expect(carrying('v4/core/schemas.js').map(({file}) => file)).toHaveLength(1)
    const locales = bundled.flatMap(({text}) => [...text.matchAll(/\/\/ node_modules\/zod\/v4\/locales\/(\w+)\.js/g)].map((m) => m[1]))
    expect([...new Set(locales)]).toEqual(['en'])
  })

  it('carry @oclif/core once, in a chunk that bin/run.js\'s entry, the help class and every command import', () => {
    // Given the files that carry oclif's Config (esbuild names each inlined module in a comment)
    const carriers = bundled.filter(({text}) => text.includes('// node_modules/@oclif/core/lib/config/config.js')).map(({file}) => file)
    // Then there is one, and each entry reaches it through its static imports: one copy, shared
    expect(carriers).toHaveLength(1)
    const entries = bundled.filter(({file}) => !file.startsWith('chunks'))
    expect(entries.length).toBeGreaterThan(10)
    for (const {file} of entries) expect({file, reaches: staticImports(file).has(carriers[0])}).toEqual({file, reaches: true})
    // And nothing left a bare import of @oclif/core for Node to load from node_modules
    expect(bundled.filter(({text}) => /from ["']@oclif\/core/.test(text)).map(({file}) => file)).toEqual([])
  })
})

/** Every file (relative to dist) that FILE imports statically, directly or through another. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const text = bundled.find((entry) => entry.file === file)?.text ?? ''
  for (const [, specifier] of text.matchAll(/from "(\.[^"]+)"/g)) {
    const imported = join(file, '..', specifier)
    if (!seen.has(imported)) {
      seen.add(imported)
      staticImports(imported, seen)
    }
  }
  return seen
}
