// Bundles the built commands (dist/commands), the entry bin/run.js calls (dist/cli/main.js) and the
// help class in place, so `racelab run` imports a handful of files instead of ~230 ES modules
// (racelab's own, zod's and pure-rand's) and ~100 CommonJS files of @oclif/core: resolving and
// linking each one is most of a first run's start-up (docs/benchmarks.md, "Start-up"). The entry,
// the help class and the commands share one copy of @oclif/core (a shared chunk), as they must:
// a command's base class and the config that runs it come from the same oclif. The code a command
// imports only when it runs stays in separate chunks (dist/chunks), loaded as before on demand.
// Packages with native code, their own instance state or top-level await stay external, and so
// does everything outside dist/commands' import graph (tests, workers and the package's types
// use the unbundled dist/ that tsc wrote).
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {build} from 'esbuild'

// zod is shaken only where src imports it as a namespace (`import * as z`): `import {z}` carries all of
// zod, every locale included (test/scripts/bundle-commands.test.ts).
// @oclif/core is CommonJS: the banner below gives the bundle the require() its modules call.
const BUNDLED = new Set(['zod', 'pure-rand', '@oclif/core'])
// oclif requires these only to run TypeScript sources in development (bin/dev.js, unbundled).
const DEVELOPMENT_ONLY = ['typescript', 'ts-node', 'tsx']
const {dependencies} = JSON.parse(readFileSync('package.json', 'utf8'))
const external = [...Object.keys(dependencies).filter((name) => !BUNDLED.has(name)), ...DEVELOPMENT_ONLY].flatMap((name) => [name, `${name}/*`])

const entryPoints = readdirSync('dist/commands', {recursive: true, encoding: 'utf8'})
  .filter((file) => file.endsWith('.js'))
  .map((file) => join('dist/commands', file))
  .concat(['dist/cli/main.js', 'dist/cli/help.js'])

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
  // The CommonJS modules inlined (oclif's) call require(): give every output file one.
  banner: {js: "import {createRequire as createRequireOfBundle} from 'node:module'; const require = createRequireOfBundle(import.meta.url);"},
})
