import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {KafkajsBus} from '../bus/kafkajs-bus.js'
import type {LoadedHandler} from '../consumer/handler-consumer.js'
import {openHandlerDb} from '../consumer/handler-db.js'
import {IdSource} from '../domain/ids.js'
import {ALL_TOPICS, DEFAULT_PARTITIONS, ELS_INPUT_TOPICS} from '../domain/topics.js'
import {Chooser, seededSource} from '../kernel/chooser.js'
import {type Micros} from '../kernel/time.js'
import {CommitBoundaries} from '../process/commit-boundaries.js'
import {ELS_GROUP} from '../process/els-group.js'
import {wireEls} from '../process/els-wiring.js'
import {faultDecisions} from '../process/fault-decisions.js'
import {RelayLoop} from '../process/relay-loop.js'
import {fixed} from '../scenario/delay.js'
import {Els} from '../services/els.js'
import {DEFAULT_POLL_INTERVAL} from '../services/relay.js'
import {closeServiceDb} from '../sqlite/service-db.js'
import type {TraceEvent} from '../trace/trace-event.js'
import {WallClock} from './clock.js'
import {KafkaMember} from './kafka-member.js'
import {KafkaPublisher} from './kafka-publisher.js'

/** How long a stopping service lets its relay publish what its last handlings wrote. */
const DRAIN_ON_STOP_MS = 5000
const JOIN_TIMEOUT_MS = 30_000

export interface ElsServiceOptions {
  brokers: readonly string[]
  /** Prepended to every topic and to the group on the wire ('' reads the real topic names). */
  topicPrefix: string
  strategy: 'naive' | 'buffer'
  /** A user's handler module in place of the strategy's ELS. */
  handler?: LoadedHandler
  /** Where els.sqlite lives; absent: a fresh temporary directory, removed when the service stops. */
  dbDir?: string
  pendingTimeout: Micros
  onTrace?: (event: TraceEvent) => void
  logSink?: (line: string) => void
}

export interface ElsServiceReady {
  group: string
  /** ELS's input topics as named on the wire. */
  topics: string[]
  partitions: number
  db: string
}

export interface ElsService {
  ready: ElsServiceReady
  /** Resolves when the consumer failed for good (kafkajs gave up): the service should end. */
  failed: Promise<Error>
  /** Stops cleanly: leaves the group (nothing in hand is committed), lets the relay drain, closes. */
  stop(): Promise<void>
}

/**
 * racelab's own ELS as a standalone consumer service (`racelab els`, docs/black-box.md): the same
 * consumer loop, relay loop and expiry timer a run wires (`process/els-wiring.ts`), on the wall
 * clock over kafkajs, with no BOS, File Service or checker around it. No faults: it is the
 * consumer a black-box run (`racelab run --els external`) judges.
 */
export async function startElsService(o: ElsServiceOptions): Promise<ElsService> {
  const clock = new WallClock()
  const bus = new KafkajsBus({brokers: o.brokers, topicPrefix: o.topicPrefix, clientId: 'racelab-els', logSink: o.logSink, timeOf: (ms) => clock.fromEpochMs(ms)})
  const info = await bus.connect()
  // Every topic exists before the group subscribes (the mock cluster auto-creates them, 4 partitions).
  await bus.ensureTopics(ALL_TOPICS, DEFAULT_PARTITIONS, info)
  const tempDir = o.dbDir === undefined ? mkdtempSync(join(tmpdir(), 'racelab-els-')) : undefined
  const dbDir = o.dbDir ?? tempDir!
  const elsDb = o.handler ? openHandlerDb(o.handler, dbDir) : Els.openDb(dbDir)
  // Event ids of its own: several services (or restarts) on one cluster never share one.
  const seed = (Date.now() ^ (process.pid << 8)) >>> 0
  const ids = new IdSource(seed)
  const chooser = new Chooser(seededSource(seed))
  const trace = (event: TraceEvent): void => o.onTrace?.(event)
  let failedWith: (error: Error) => void = () => undefined
  const failed = new Promise<Error>((resolve) => (failedWith = resolve))
  let stopping = false
  const members: KafkaMember[] = []
  const publisher = new KafkaPublisher(bus, clock)
  const els = wireEls({
    clock,
    chooser,
    trace,
    ids,
    elsDb,
    commits: CommitBoundaries.of(elsDb),
    strategy: o.strategy,
    handler: o.handler,
    instances: 1,
    pendingTimeout: o.pendingTimeout,
    handling: fixed(0),
    faults: faultDecisions([], () => chooser),
    topics: ELS_INPUT_TOPICS,
    member: (instanceId, topics, loop) => {
      const member = new KafkaMember({bus, instanceId, topics, loop, joinTimeoutMs: JOIN_TIMEOUT_MS, onCrash: (error) => stopping || failedWith(error)})
      members.push(member)
      return member
    },
  })
  const relay = els.attachRelay(
    (outboxRelay) =>
      new RelayLoop({
        clock,
        chooser,
        relay: outboxRelay,
        publisher,
        settings: () => ({publishDelay: fixed(0), pollInterval: DEFAULT_POLL_INTERVAL, wake: true}),
        crashAfterPublish: () => false,
        transaction: (work) => elsDb.transaction(work)(),
        trace,
      }),
  )
  const outbox = els.instances[0].outbox
  const close = (): void => {
    closeServiceDb(elsDb)
    if (tempDir !== undefined) rmSync(tempDir, {recursive: true, force: true})
  }
  els.start()
  // Rows a previous run of the service left unpublished, and buffered rows' expiry.
  relay.rowCommitted('els')
  els.resumeTimer()
  let partitions: number
  try {
    partitions = await Promise.race([members[0].joined, failed.then((error) => Promise.reject(error))])
  } catch (error) {
    stopping = true
    clock.stop()
    await Promise.all(members.map((m) => m.stop()))
    await bus.close()
    close()
    throw error
  }
  return {
    ready: {group: o.topicPrefix + ELS_GROUP, topics: ELS_INPUT_TOPICS.map((t) => bus.physical(t)), partitions, db: join(dbDir, 'els.sqlite')},
    failed,
    stop: async () => {
      if (stopping) return
      stopping = true
      await Promise.all(members.map((m) => m.stop()))
      // What the last handlings wrote is published before the relay stops (the offsets are committed).
      for (let waited = 0; outbox.countUnpublished() > 0 && waited < DRAIN_ON_STOP_MS; waited += 20) await sleepMs(20)
      clock.stop()
      relay.stop()
      await Promise.race([publisher.settled(), sleepMs(1000)])
      await bus.close()
      close()
    },
  }
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms))
}
