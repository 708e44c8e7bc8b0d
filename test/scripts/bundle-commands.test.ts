import {readdirSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

// scripts/bundle-commands.mjs bundles dist/commands (npm run build, before the tests). What a
// command carries is what its start-up pays for: these check the bundle's shape, not its speed.

const dist = resolve(import.meta.dirname, '../../dist')
const bundled = [...readdirSync(join(dist, 'commands'), {recursive: true, encoding: 'utf8'}).map((f) => join('commands', f)), ...readdirSync(join(dist, 'chunks')).map((f) => join('chunks', f))]
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
})
