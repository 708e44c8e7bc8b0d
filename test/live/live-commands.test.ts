import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {KafkajsBus} from '../../src/sim/bus/kafkajs-bus.js'
import {ELS_INPUT_TOPICS} from '../../src/sim/domain/topics.js'
import type {RunningCluster} from '../../src/kafka-cluster/mock-cluster.js'
import {liveCheck, shrinkCommand} from '../../src/sim/verify/live-verify.js'
import {checkExpectation} from '../../src/sim/verify/expectation-check.js'
import {buildCells} from '../../src/sim/verify/matrix.js'
import {emptyTally, recordRun} from '../../src/sim/verify/cell-tally.js'
import {hasKcat, startCluster, racelab, type Exit} from './support.js'

/** The live commands run several cluster round trips: a longer leash. */
const racelab90 = (args: string[]) => racelab(args, 90_000)

const root = resolve(import.meta.dirname, '../..')

describe('live verify, judged like an in-memory cell (no cluster needed)', () => {
  const [naive, buffer] = buildCells(
    [{scenarios: ['random'], strategies: ['naive', 'buffer'], seedStart: 3, seeds: 2, shape: {'els-instances': 1}}],
    () => ({options: {}, args: ['--essays 3']}),
  )

  it('a fail-sometimes cell matches either way live, and says why', () => {
    // Given: random × naive expects fail-sometimes; both live seeds passed
    const tally = recordRun(recordRun(emptyTally(), 3, [], ['ready-exactly-once']), 4, [], ['ready-exactly-once'])
    const inMemory = checkExpectation(naive.expectation, tally)
    // When
    const live = liveCheck(naive.expectation, inMemory)
    // Then
    expect(inMemory.matched).toBe(false)
    expect(live.matched).toBe(true)
    expect(live.actual).toContain('live, a fail-sometimes cell matches either way')
  })

  it('pass and fail cells are judged exactly as in memory', () => {
    const tally = recordRun(emptyTally(), 3, ['ready-exactly-once'], [])
    expect(liveCheck(buffer.expectation, checkExpectation(buffer.expectation, tally))).toEqual(checkExpectation(buffer.expectation, tally))
  })

  it('the shrink command is the in-memory verify of the same cell', () => {
    expect(shrinkCommand(naive)).toBe('racelab verify --scenario random --strategy naive --seed-start 3 --seeds 2 --essays 3')
  })
})

describe.skipIf(!hasKcat)('racelab verify/replay --kafka and record --from-kafka on a local mock cluster', () => {
  let cluster: RunningCluster
  const dir = mkdtempSync(join(tmpdir(), 'racelab-live-commands-'))
  const junit = join(dir, 'verify.xml')
  const recorded = join(dir, 'recorded.yaml')
  const prefix = `racelab-test-${process.pid}-record-`
  let verify: Promise<Exit>
  let replay: Promise<Exit>
  let runThenRecord: Promise<{run: Exit; record: Exit; replay: Exit}>

  beforeAll(async () => {
    cluster = await startCluster()
    const S = cluster.servers
    // Bug 5's fixture with a broker outage instead of its crashes (those run live too)
    const simulationOnly = join(dir, 'broker-unavailable.yaml')
    const bug5 = readFileSync(join(root, 'fixtures/post-fix-bugs/5-duplicate-completion.yaml'), 'utf8')
    writeFileSync(simulationOnly, bug5.replace('consumer-crash-before-commit@30%', 'broker-unavailable=1s..2s'))
    // All at once, each under its own topic prefixes: their consumer groups form in the same 3 s.
    verify = racelab90(['verify', '--kafka', S, '--scenario', 'content-first', '--json', '--junit', junit])
    replay = racelab90([
      'replay', '--kafka', S,
      join(root, 'fixtures/scenarios/validation-failure.yaml'),
      simulationOnly,
      join(root, 'fixtures/post-fix-bugs/7-early-validation-failure.yaml'),
      '--strategy', 'naive', '--strategy', 'buffer',
    ])
    runThenRecord = (async () => {
      const run = await racelab90(['run', '--kafka', S, '--scenario', 'content-first', '--strategy', 'naive', '--topic-prefix', prefix, '--json'])
      const record = await racelab90(['record', '--from-kafka', S, '--topic-prefix', prefix, '--out', recorded, '--json'])
      return {run, record, replay: await racelab90(['replay', recorded])}
    })()
  })

  afterAll(async () => {
    await Promise.all([verify, replay, runThenRecord])
    await cluster?.stop()
  })

  it('verify --kafka: each cell runs live, judged against its expectation; same JSON and JUnit as verify, no shrinking', async () => {
    // When
    const {code, stdout} = await verify
    // Then
    expect(code).toBe(0)
    const json = JSON.parse(stdout)
    expect(json).toMatchObject({verdict: 'pass', runs: 2, matched: 2, unmatched: 0, kafka: {brokers: cluster.servers.split(',')}})
    const [naive, buffer] = json.cells
    expect(naive).toMatchObject({
      scenario: 'content-first',
      strategy: 'naive',
      expectation: {outcome: 'fail'},
      failures: 1,
      firstFailingSeed: 1,
      matched: true,
      counterexample: null,
      shrink: 'racelab verify --scenario content-first --strategy naive --seeds 1',
    })
    expect(naive.reproduce).toMatch(/^racelab run --kafka \S+ --scenario content-first --strategy naive --seed 1$/)
    expect(naive.liveRuns).toEqual([expect.objectContaining({seed: 1, verdict: 'fail', stoppedBy: 'quiet', invariants: ['ready-exactly-once', 'no-false-excess']})])
    expect(buffer).toMatchObject({strategy: 'buffer', failures: 0, matched: true, shrink: null})
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('<testsuite name="racelab verify" tests="2" failures="0"')
    expect(xml).toContain('<testcase classname="content-first" name="naive">')
  })

  it('replay --kafka: a seed fixture replays live and matches; a delivery-order fixture is skipped, a simulation-only fault refused; exit 0', async () => {
    // When
    const {code, stdout} = await replay
    // Then
    expect(code).toBe(0)
    expect(stdout).toMatch(/racelab replay --kafka \S+ \(cluster \S+\): 3 fixtures; 1 replayed live from its seed \(2 runs, one after another\), 1 skipped, 1 refused/)
    expect(stdout).toMatch(/naive\s+MATCH\s+fail \[ready-exactly-once, no-lost-content\]\s+\(\d+\.\d s live\)/)
    expect(stdout).toMatch(/buffer\s+MATCH\s+pass\s+\(\d+\.\d s live\)/)
    expect(stdout).toContain('refused live: fault broker-unavailable=1s..2s needs the in-memory bus')
    expect(stdout).toContain('skipped live: explicit delivery order needs the in-memory bus')
    expect(stdout).toContain('MATCH: 3 fixtures, 2 live replays: 2 matched, 0 mismatched; 1 skipped, 1 refused, 0 invalid')
  })

  it('record --from-kafka: the wire of a live run becomes a fixture with racelab ids, its order and its in-memory expectation', async () => {
    // Given: a live content-first run under naive
    const {run, record, replay: replayed} = await runThenRecord
    expect(run.code).toBe(1)

    // Then: the fixture holds the topology and the three deliveries, contents before the registration
    expect(record.code).toBe(0)
    const json = JSON.parse(record.stdout)
    expect(json).toMatchObject({
      source: {topicPrefix: prefix, messages: 3},
      topology: [{essays: 2, files: [{valid: true}, {valid: true}]}],
      ids: 'racelab',
      mapping: [],
      expect: {naive: ['ready-exactly-once', 'no-false-excess'], buffer: 'pass'},
    })
    expect(json.deliveries).toHaveLength(3)
    expect(json.deliveries[2]).toBe('register(b1)')
    expect([...json.deliveries].sort()).toEqual(['content(b1,f1)', 'content(b1,f2)', 'register(b1)'])
    const text = readFileSync(recorded, 'utf8')
    expect(text).toContain(`# Recorded by racelab record --from-kafka ${cluster.servers} --topic-prefix '${prefix}'`)
    expect(text).toContain(`description: 'recorded from topic prefix "${prefix}" on Kafka at ${cluster.servers}: 3 events in broker append order`)

    // And it replays in memory to its expectation
    expect(replayed.code).toBe(0)
    expect(replayed.stdout).toMatch(/naive\s+MATCH\s+fail \[ready-exactly-once, no-false-excess\]/)
  })

  it('record --from-kafka: a prefix with no topics, or with empty topics, is one line, exit 2', async () => {
    // Given: empty input topics under one prefix (the broker creates them on first use)
    const empty = `racelab-test-${process.pid}-empty-`
    const bus = new KafkajsBus({brokers: cluster.servers.split(','), topicPrefix: empty})
    try {
      await bus.ensureTopics(ELS_INPUT_TOPICS, 3, await bus.connect())
    } finally {
      await bus.close()
    }
    // When
    const [none, nothing] = await Promise.all([
      racelab90(['record', '--from-kafka', cluster.servers, '--topic-prefix', `racelab-test-${process.pid}-none-`, '--out', join(dir, 'none.yaml')]),
      racelab90(['record', '--from-kafka', cluster.servers, '--topic-prefix', empty, '--out', join(dir, 'empty.yaml')]),
    ])
    // Then
    for (const {code, stderr} of [none, nothing]) {
      expect(code).toBe(2)
      expect(stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(none.stderr).toContain(`no topic racelab-test-${process.pid}-none-huleedu.batch.essays.registered.v1 (nor the other ELS input topics)`)
    expect(nothing.stderr).toContain(`the topics under prefix "${empty}" hold no message`)
  })
})
