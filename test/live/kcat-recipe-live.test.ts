import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {hasKcat, kcat, racelab, SKIP_LINE, startCluster} from './support.js'

// docs/troubleshooting.md tells an operator how to confirm the race on their cluster with kcat:
// read the registration, the contents and the excess reports of a batch with the broker's
// timestamps; the race happened if a content's timestamp is earlier than its registration's. Its
// doc-command test cannot run that (it needs a cluster): this runs the document's own kcat lines
// against a live racelab run on the mock cluster, with the cluster, the run's topic prefix and the
// batch put in, once where the race happens and once where it does not.

if (!hasKcat) console.log(SKIP_LINE)

const root = resolve(import.meta.dirname, '../..')

/** The kcat commands of the document's recipe, each continuation line joined to its command. */
function recipe(): string[] {
  const text = readFileSync(resolve(root, 'docs/troubleshooting.md'), 'utf8')
  const block = [...text.matchAll(/^```sh\n([\s\S]*?)\n```/gm)].map((m) => m[1]).find((body) => body.startsWith('kcat '))
  expect(block, 'docs/troubleshooting.md has a kcat block').toBeDefined()
  return block!.replace(/\\\n\s*/g, '').split('\n')
}

interface Record {
  timestamp: number
  key: string
  value: string
}

/** One recipe command on a run's topics: its records (`%T %k %s`), none when grep found nothing. */
async function read(command: string, servers: string, prefix: string): Promise<Record[]> {
  const line = command.replace('localhost:9092', servers).replace(/-t (huleedu\.)/, `-t ${prefix}$1`).replace('"BATCH"', '"b1"')
  expect(line).not.toBe(command)
  const {stdout} = await promisify(execFile)('bash', ['-c', `${line} || true`], {timeout: 30_000, env: {...process.env, PATH: `${dirname(kcat!)}:${process.env.PATH}`}})
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [timestamp, key, ...value] = l.split(' ')
      return {timestamp: Number(timestamp), key, value: value.join(' ')}
    })
}

describe.skipIf(!hasKcat)('the kcat recipe of docs/troubleshooting.md, on a local mock cluster', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it.each([
    ['content-first', 'naive', true],
    ['registration-first', 'naive', false],
  ] as const)('%s under %s: the recipe shows a content earlier than its registration: %s', {timeout: 120_000}, async (scenario, strategy, race) => {
    // Given a live run on topics of its own
    const prefix = `kcat-recipe-${scenario}-${process.pid}-`
    const run = await racelab(['run', '--kafka', cluster.servers, '--topic-prefix', prefix, '--scenario', scenario, '--strategy', strategy], 90_000)
    expect(run.code, run.stdout + run.stderr).toBe(race ? 1 : 0)

    // When the document's three commands read its topics
    const [registered, contents, excess] = await Promise.all(recipe().map((command) => read(command, cluster.servers, prefix)))

    // Then they find the batch's registration and its 2 contents, and the broker's timestamps tell
    // the race as the document says; the excess reports carry NO_AVAILABLE_SLOT only when it happened
    expect(registered.map((r) => r.key)).toEqual(['b1'])
    expect(contents.map((r) => r.key).sort()).toEqual(['b1-f1', 'b1-f2'])
    for (const r of [...registered, ...contents]) expect(r.timestamp).toBeGreaterThan(1_000_000_000_000)
    expect(Math.min(...contents.map((r) => r.timestamp)) < registered[0].timestamp).toBe(race)
    expect(excess.length).toBe(race ? 2 : 0)
    for (const r of excess) expect(r.value).toContain('"reason":"NO_AVAILABLE_SLOT"')
  })
})
