import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

// bin/dev.js points oclif at src/ (tsx compiles each module as it loads), bin/run.js at dist/.

const root = resolve(import.meta.dirname, '../..')
// The package without its build: every top-level entry linked, but dist/ and the manifest.
const unbuilt = mkdtempSync(join(tmpdir(), 'racelab-dev-'))
for (const name of readdirSync(root)) if (!['dist', 'oclif.manifest.json', '.git'].includes(name)) symlinkSync(join(root, name), join(unbuilt, name))

afterAll(() => rmSync(unbuilt, {recursive: true, force: true}))

/** The exit code and stdout of `node --import tsx DIR/BIN ARGS`. */
const racelab = (dir: string, bin: string, args: string[]): {status: number | null; stdout: string} =>
  spawnSync(process.execPath, ['--import', 'tsx', join(dir, bin), ...args], {cwd: dir, encoding: 'utf8'})

describe('bin/dev.js', () => {
  it('runs the TypeScript sources without a build, to the same JSON as the build', {timeout: 60_000}, () => {
    // Given the same run, through bin/dev.js in a copy of the package without dist/, and bin/run.js
    const args = ['run', '--scenario', 'content-first', '--strategy', 'naive', '--seed', '3', '--json']
    // When each runs it
    const dev = racelab(unbuilt, 'bin/dev.js', args)
    const built = racelab(root, 'bin/run.js', args)
    // Then they agree, to the byte: the race, exit 1
    expect((JSON.parse(dev.stdout) as {verdict: string}).verdict).toBe('fail')
    expect(dev.status).toBe(1)
    expect(dev.stdout).toBe(built.stdout)
  })
})
