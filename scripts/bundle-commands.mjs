// Bundles the built commands (dist/commands) in place, so `racelab run` imports a handful of
// files instead of ~230 ES modules (racelab's own, zod's and pure-rand's): resolving and linking
// each one is most of a first run's start-up (docs/benchmarks.md, "Start-up"). The code a command
// imports only when it runs stays in separate chunks (dist/chunks), loaded as before on demand.
// Packages with native code, their own instance state or top-level await stay external, and so
// does everything outside dist/commands' import graph (tests, workers and the package's types
// use the unbundled dist/ that tsc wrote).
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {build} from 'esbuild'

// zod is shaken only where src imports it as a namespace (`import * as z`): `import {z}` carries all of
// zod, every locale included (test/scripts/bundle-commands.test.ts).
// ES-module packages only: a CommonJS one (yaml) would need require() inside an ES module.
const BUNDLED = new Set(['zod', 'pure-rand'])
const {dependencies} = JSON.parse(readFileSync('package.json', 'utf8'))
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`])

const entryPoints = readdirSync('dist/commands', {recursive: true, encoding: 'utf8'})
  .filter((file) => file.endsWith('.js'))
  .map((file) => join('dist/commands', file))

await build({
  entryPoints,
  outdir: 'dist',
  outbase: 'dist',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
})
