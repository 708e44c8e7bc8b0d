#!/usr/bin/env node
// oclif checks Node against its own `engines` with semver on every start (47 modules, a tenth of
// `racelab --version`); npm checks racelab's `engines` at install. Set before oclif loads.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true'
// dist/cli/main.js is bundled with the commands, so they share its copy of @oclif/core.
const {main} = await import('../dist/cli/main.js')

await main(import.meta.url)

// The command is done and its output written. A client library that keeps retrying a dead broker
// in the background (kafkajs after a disconnect that could not finish) must not keep racelab
// alive: racelab never hangs. The timer is unref'd, so a clean process exits at once without it.
globalThis.setTimeout(() => process.exit(), 3000).unref()
