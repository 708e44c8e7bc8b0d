#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build step), for development.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})

// As bin/run.js: nothing left running in the background keeps racelab alive after its command.
globalThis.setTimeout(() => process.exit(), 3000).unref()
