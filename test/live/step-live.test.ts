import {execFileSync} from 'node:child_process'
import {resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {hasKcat, racelab, SKIP_LINE, startCluster} from './support.js'

if (!hasKcat) console.log(SKIP_LINE)

const bin = resolve(import.meta.dirname, '../../bin/run.js')
const tmux = (...args: string[]): string => execFileSync('tmux', args, {encoding: 'utf8'})

describe.skipIf(!hasKcat)('racelab step --kafka on a local mock cluster', () => {
  let cluster: RunningCluster

  beforeAll(async () => {
    cluster = await startCluster()
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('without a terminal: the live timeline as it happens, then the live report; exit 1 under naive', {timeout: 90_000}, async () => {
    // When
    const {code, stdout} = await racelab(['step', '--kafka', cluster.servers, '--scenario', 'content-first', '--strategy', 'naive'])

    // Then
    expect(code).toBe(1)
    expect(stdout).toContain('racelab step --kafka: scenario content-first, strategy naive, seed 1')
    expect(stdout).toMatch(/els\s+EssayContentProvisioned b1 .* reported EXCESS/)
    expect(stdout).toContain('FAIL')
    expect(stdout).toContain('ready-exactly-once')
  })

  it('in a terminal (tmux 80x24): the panels follow the live run, and the invariants turn red when it ends', {timeout: 90_000}, async () => {
    // Given
    const session = `racelab-lab-live-${process.pid}`
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `CI=true node ${bin} step --kafka ${cluster.servers} --scenario content-first --strategy naive`)
    const until = async (expected: string): Promise<string> => {
      const deadline = Date.now() + 60_000
      let text = ''
      while (Date.now() < deadline) {
        text = tmux('capture-pane', '-p', '-t', session)
        if (text.includes(expected)) return text
        await new Promise((done) => setTimeout(done, 100))
      }
      throw new Error(`the pane never showed ${expected}; it shows:\n${text}`)
    }
    try {
      // When / Then
      await until('racelab step --kafka  content-first · naive · seed 1')
      const ended = await until('the live run ended: FAILS')
      expect(ended).toContain('run FAILS')
      tmux('send-keys', '-t', session, '6')
      const invariants = await until('✗ ready-exactly-once b1')
      expect(invariants).toContain('[6 invariants ✗')
    } finally {
      tmux('kill-session', '-t', session)
    }
  })
})
