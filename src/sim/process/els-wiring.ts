import type Database from 'better-sqlite3'

import type {IdSource} from '../domain/ids.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Micros} from '../kernel/time.js'
import {Els} from '../services/els.js'
import {Relay} from '../services/relay.js'
import type {Delay} from '../scenario/delay.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {InputConsumer} from '../consumer/input-consumer.js'
import {HandlerConsumer, type LoadedHandler} from '../consumer/handler-consumer.js'
import type {Clock} from './clock.js'
import type {CommitBoundaries} from './commit-boundaries.js'
import {ConsumerLoop, type ConsumerLoopOptions, type GroupMember} from './consumer-loop.js'
import type {FaultDecisions} from './fault-decisions.js'
import type {RelayLoop} from './relay-loop.js'

/** Builds an ELS instance over the shared ELS database (tests plug post-fix-bug variants in here). */
export type MakeConsumer = (
  strategy: Els['strategy'],
  ids: IdSource,
  pendingTimeout: Micros,
  db: Database.Database,
) => InputConsumer & Partial<Els>

export interface ElsWiringOptions {
  clock: Clock
  chooser: Chooser
  trace: (event: TraceEvent) => void
  ids: IdSource
  /** ELS's database, shared by its instances. */
  elsDb: Database.Database
  /** Where a crash can fall between two transactions of one handling (absent: nowhere). */
  commits?: CommitBoundaries
  strategy: Els['strategy']
  makeConsumer?: MakeConsumer
  /** A user's ELS handler in place of the strategy's ELS: one per instance. */
  handler?: LoadedHandler
  /** Builds each instance itself, before handler, makeConsumer or the strategy (a user's consumer process, `--handler-cmd`). */
  makeInstance?: (instanceId: string) => InputConsumer & Partial<Els>
  instances: number
  pendingTimeout: Micros
  /** Handling time per message. */
  handling: Delay
  faults: Pick<FaultDecisions, 'crashBeforeCommit' | 'restart' | 'crash' | 'registerDbError'>
  /** ELS's input topics. */
  topics: readonly string[]
  /** A new group membership for one ELS instance; `loop` is the loop it will feed. */
  member: (instanceId: string, topics: readonly string[], loop: () => ConsumerLoop) => GroupMember
  consumerHooks?: (instanceId: string) => Pick<ConsumerLoopOptions, 'onSettled' | 'onDown' | 'onRejoined'>
}

/** ELS as a deployment runs it: its instances with their consumer loops, its relay, its expiry timer. */
export interface ElsWiring {
  /** The ELS instances (one per consumer loop); the first drives the expiry timer. */
  instances: (InputConsumer & Partial<Els>)[]
  loops: ConsumerLoop[]
  /** ELS's relay, made by the caller's factory (the shell's publisher and faults); once. */
  attachRelay(make: (relay: Relay) => RelayLoop): RelayLoop
  /** Every instance joins its group. */
  start(): void
  /** Schedules the timer for what the database already holds (a service restarted over its --db). */
  resumeTimer(): void
}

/**
 * ELS's processes, once for a whole run (`run-wiring.ts`) and for racelab's ELS as a standalone
 * consumer service (`racelab els`, `live/els-service.ts`): one consumer loop per instance over the
 * consumer seam, ELS's relay woken after every ELS write, and one timer step kept scheduled for the
 * consumer's next timer (the oldest buffered event's expiry).
 */
export function wireEls(o: ElsWiringOptions): ElsWiring {
  const {clock, trace} = o
  const instances: (InputConsumer & Partial<Els>)[] = []
  const loops: ConsumerLoop[] = []
  for (let i = 0; i < o.instances; i++) {
    const instanceId = o.instances === 1 ? 'els' : `els-${i + 1}`
    const els = o.makeInstance
      ? o.makeInstance(instanceId)
      : o.handler
      ? new HandlerConsumer(o.handler, o.ids, {instance: instanceId, pendingTimeout: o.pendingTimeout}, o.elsDb)
      : o.makeConsumer
        ? o.makeConsumer(o.strategy, o.ids, o.pendingTimeout, o.elsDb)
        : new Els(o.strategy, o.ids, o.pendingTimeout, o.elsDb)
    if (o.faults.registerDbError) els.failRegistrationMidway = o.faults.registerDbError
    instances.push(els)
    const member = o.member(instanceId, o.topics, () => loop)
    const loop: ConsumerLoop = new ConsumerLoop(
      {
        clock,
        chooser: o.chooser,
        instanceId,
        consumer: els,
        handling: o.handling,
        faults: {crashBeforeCommit: o.faults.crashBeforeCommit, restart: o.faults.restart, crash: () => o.faults.crash('els')},
        commits: o.commits,
        trace,
        // What a handling emitted is what it wrote to the outbox (the consumer seam's rule).
        onHandled: (_message, handled) => afterElsWrite(handled.emitted.length > 0),
        onPartlyHandled: () => afterElsWrite(),
        ...o.consumerHooks?.(instanceId),
      },
      member,
    )
    loops.push(loop)
  }
  const primary = instances[0]
  let elsRelay: RelayLoop | undefined

  // ELS's own events leave through its outbox: wake its relay after every ELS write, and keep one
  // timer step scheduled for the consumer's next timer (the oldest buffered event's expiry).
  let expiry: {at: Micros; cancel: () => void} | undefined
  function afterElsWrite(wroteOutbox = true): void {
    elsRelay?.rowCommitted('els', wroteOutbox)
    const next = primary.nextTimerAt?.()
    if (next === expiry?.at) return
    expiry?.cancel()
    const now = clock.now()
    expiry = next === undefined ? undefined : {at: Math.max(next, now), cancel: clock.after(next - now, onTimer, 'els:expiry')}
  }
  function onTimer(): void {
    expiry = undefined
    const now = clock.now()
    for (const row of primary.onTimer?.(now) ?? []) trace({t: now, svc: 'els', ev: 'expired', batch: row.batch, kind: row.kind, ref: row.ref})
    afterElsWrite()
  }

  return {
    instances,
    loops,
    attachRelay: (make) => (elsRelay = make(new Relay('els', primary.outbox, o.ids))),
    start: () => {
      for (const loop of loops) loop.start()
    },
    resumeTimer: () => afterElsWrite(),
  }
}
