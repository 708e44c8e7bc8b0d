import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {expect} from 'vitest'

const CHROMIUM = '/usr/bin/chromium'

/** Headless Chromium on a file: its DOM after load and what the page logged to its console. */
export async function chromium(file: string, extra: string[]): Promise<{stdout: string; console: string[]}> {
  expect(existsSync(CHROMIUM), 'Debian package chromium (apt-get install chromium; .ci/run installs it)').toBe(true)
  const profile = mkdtempSync(join(tmpdir(), 'racelab-chromium-'))
  const {stdout, stderr} = await promisify(execFile)(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`, ...extra, `file://${file}`],
    {timeout: 90_000, maxBuffer: 64 * 1024 * 1024},
  )
  // Chromium logs every console message of the page, errors and blocked loads included, as CONSOLE.
  return {stdout, console: stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line))}
}

/**
 * Chromium's XML parser (libxml2) on an .svg file: a document that is not well-formed XML comes
 * back as a `parsererror` element naming the line and column.
 */
export async function xmlProblems(file: string): Promise<string | undefined> {
  const {stdout} = await chromium(file, ['--dump-dom'])
  return /<parsererror/.test(stdout) ? stdout.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() : undefined
}
