#!/usr/bin/env node
// The README's demo: the race under the naive ELS (racelab exits 1: invariants violated), then
// the buffering fix in the same ordering (exit 0). The demo succeeds when both do what they should.
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const run = (strategy) =>
  spawnSync(process.execPath, [cli, 'run', '--scenario', 'content-first', '--strategy', strategy], {stdio: 'inherit'}).status

console.log('== the bug: naive ELS, content reaches ELS before the registration (expect FAIL, exit 1)\n')
const naive = run('naive')
console.log('\n== the fix: buffer strategy, same ordering (expect PASS, exit 0)\n')
const buffer = run('buffer')
if (naive !== 1 || buffer !== 0) {
  console.error(`demo: expected naive to exit 1 and buffer 0, got ${naive} and ${buffer}`)
  process.exit(1)
}
console.log('\ndemo: racelab reproduced the race (naive) and showed the fix holds (buffer).')
