import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {promisify} from 'node:util'

import {describe, expect, it} from 'vitest'

import {docCommands} from './doc-command.js'

const root = resolve(import.meta.dirname, '../..')
const DOCS = ['docs/troubleshooting.md', 'docs/outbox-ordering.md']
const commands = DOCS.flatMap((file) => docCommands(file, readFileSync(join(root, file), 'utf8')))

/**
 * Runs a documented command in a fresh directory, `racelab` being the built CLI (dist/). The
 * directory links the checkout's fixtures/ and examples/, which the documents name as a reader of
 * a checkout would, and nothing else of it: whatever a command writes lands in the directory.
 */
async function run(command: string): Promise<{exit: number; output: string}> {
  const cwd = mkdtempSync(join(tmpdir(), 'racelab-doc-'))
  for (const dir of ['fixtures', 'examples']) symlinkSync(join(root, dir), join(cwd, dir))
  const script = `racelab() { node ${JSON.stringify(join(root, 'bin/run.js'))} "$@"; }\n${command}`
  try {
    // As a reader runs it: without vitest's NODE_ENV=test, which sends oclif looking for TypeScript sources.
    const {NODE_ENV: _vitest, ...env} = process.env
    const {stdout, stderr} = await promisify(execFile)('bash', ['-c', script], {cwd, timeout: 180_000, maxBuffer: 64 * 1024 * 1024, env: {...env, NO_COLOR: '1'}})
    return {exit: 0, output: stdout + stderr}
  } catch (error) {
    const failed = error as {code?: number; stdout?: string; stderr?: string}
    if (typeof failed.code !== 'number') throw error
    return {exit: failed.code, output: (failed.stdout ?? '') + (failed.stderr ?? '')}
  }
}

describe('the commands the documents back their claims with', () => {
  it('finds them: each document has some, and every fenced racelab command states its outcome', () => {
    // Then
    for (const file of DOCS) expect(commands.filter((c) => c.file === file).length, file).toBeGreaterThan(3)
    for (const file of DOCS) {
      const text = readFileSync(join(root, file), 'utf8')
      const fenced = [...text.matchAll(/^( *)```sh\n([\s\S]*?)\n\1```/gm)].filter((m) => /^ *racelab /m.test(m[2]))
      const lineOf = (index: number) => text.slice(0, index).split('\n').length
      // The same blocks, not just as many: a block without an expect: line must not swallow the next one.
      expect(commands.filter((c) => c.file === file).map((c) => c.line), `${file}: every racelab block has an expect: line`).toEqual(fenced.map((m) => lineOf(m.index)))
      for (const c of commands) expect(c.command, `${c.file}:${c.line}`).not.toContain('```')
    }
  })

  it.each(commands.map((c) => [`${c.file}:${c.line}`, c] as const))('%s', async (_where, doc) => {
    // When
    const {exit, output} = await run(doc.command)

    // Then
    expect(exit, output).toBe(doc.exit)
    for (const text of doc.prints) expect(output, `${doc.command}\nshould print ${text}`).toContain(text)
  })
})
