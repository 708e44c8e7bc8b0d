#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build step), for development: oclif is pointed at
// src/ instead of dist/, and tsx (imported above) compiles each module as it loads.
import {readFileSync} from 'node:fs'

import {execute} from '@oclif/core'

const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif = {...pjson.oclif, commands: './src/commands', helpClass: './src/cli/help.ts'}

await execute({development: true, dir: import.meta.url, loadOptions: {root, pjson, ignoreManifest: true}})

// As bin/run.js: nothing left running in the background keeps racelab alive after its command.
globalThis.setTimeout(() => process.exit(), 3000).unref()
