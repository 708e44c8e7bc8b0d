#!/usr/bin/env node
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})

// The command is done and its output written. A client library that keeps retrying a dead broker
// in the background (kafkajs after a disconnect that could not finish) must not keep racelab
// alive: racelab never hangs. The timer is unref'd, so a clean process exits at once without it.
globalThis.setTimeout(() => process.exit(), 3000).unref()
