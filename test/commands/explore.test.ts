import {runCommand} from '@oclif/test'
import {describe, expect, it} from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const racelab = (args: string[]) => runCommand(args, {root})

describe('racelab explore', () => {
  it('finds the race under naive: exit 1, the shrunk counterexample and a reproduce line that replays it', async () => {
    // When
    const {stdout, error} = await racelab(['explore', '--scenario', 'content-first', '--strategy', 'naive', '--essays', '2', '--json'])

    // Then
    expect(error?.oclif?.exit).toBe(1)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'fail', stoppedBy: 'counterexample', exhaustive: false, counterexample: {invariant: 'ready-exactly-once'}})
    expect(json.counterexample.reproduce).toMatch(/^racelab run --scenario content-first --strategy naive --seed 1 .*--schedule [0-9a-z,]+$/)
    const replay = await racelab(json.counterexample.reproduce.replace(/^racelab /, '').replace(/'/g, '').split(' '))
    expect(replay.error?.oclif?.exit).toBe(1)
    expect(replay.stdout).toMatch(/ready-exactly-once/)
  })

  it('proves the buffer clean on a small scope: exit 0, all N interleavings', async () => {
    // When
    const {stdout, error} = await racelab(['explore', '--scenario', 'content-first', '--strategy', 'buffer', '--essays', '2'])

    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/PASS: all \d+ interleavings hold every invariant/)
    expect(stdout).toMatch(/cache\s+\d+ runs cut/)
  })

  it('--handler: explores a team’s handler in place of ELS, the cache off', async () => {
    // When
    const {stdout, error} = await racelab(['explore', '--scenario', 'content-first', '--essays', '1', '--handler', 'examples/handlers/buffer.ts', '--json'])

    // Then
    expect(error).toBeUndefined()
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', exhaustive: true, scope: {cache: false, args: ['--essays 1', '--handler examples/handlers/buffer.ts']}})
    expect(json.counts.interleavings).toBeGreaterThan(1)
  })

  it('--max-runs: stopped after N, not exhaustive, exit 0', async () => {
    // When
    const {stdout, error} = await racelab(['explore', '--scenario', 'registration-first', '--essays', '1', '--no-reduction', '--no-cache', '--max-runs', '3'])

    // Then
    expect(error).toBeUndefined()
    expect(stdout).toMatch(/stopped after 3 runs \(--max-runs\), not exhaustive/)
  })

  it('--shard K/N and merge: the shards judge the interleavings of one search between them', async () => {
    // Given
    const args = ['explore', '--scenario', 'registration-first', '--essays', '1', '--no-cache', '--json']
    const whole = JSON.parse((await racelab(args)).stdout)
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'racelab-explore-'))
    const files: string[] = []
    for (const k of [1, 2]) {
      const {stdout} = await racelab([...args, '--shard', `${k}/2`])
      files.push(join(dir, `explore-${k}.json`))
      writeFileSync(files.at(-1)!, stdout)
    }

    // When
    const {stdout, error} = await racelab(['merge', ...files, '--json'])

    // Then
    expect(error).toBeUndefined()
    const merged = JSON.parse(stdout)
    expect(merged).toMatchObject({verdict: 'pass', exhaustive: true})
    expect(merged.counts.interleavings).toBe(whole.counts.interleavings)
  })

  it('refuses a delay that is not drawn: exit 2, one line naming --vary', async () => {
    // When
    const {stderr, error} = await racelab(['explore', '--vary', 'bos-poll'])

    // Then
    expect(error?.oclif?.exit).toBe(2)
    expect(stderr).toMatch(/--vary bos-poll: not a drawn delay/)
  })
})
