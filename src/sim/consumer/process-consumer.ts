import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type Database from 'better-sqlite3'

import type {DataOf, Envelope} from '../domain/events.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS, TOPICS} from '../domain/topics.js'
import {InputError} from '../input-error.js'
import {formatSeconds, type Micros, SECOND} from '../kernel/time.js'
import {addElsEvent} from '../outbox/els-outbox-event.js'
import {Outbox} from '../outbox/outbox.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {HANDLER_DB_SCHEMA} from './handler-db.js'
import type {ElsEmitted} from './els-handler.js'
import type {ElsHandled} from './handled.js'
import {commandWords, type HandlerCommand} from './handler-command.js'
import {describeEvent, refOf} from './handler-consumer.js'
import {HandlerRetries, type MessageCall} from './handler-retries.js'
import {answer, PROTOCOL_VERSION, type Answer, type HandledAnswer, type Request} from './handler-protocol.js'
import type {Delivery, Expired, InputConsumer} from './input-consumer.js'
import {type ProcessChannel, processChannel} from './process-channel.js'

/** When the consumer processes of a run want their timer: they share one database, so the latest answer of any of them says. */
export interface SharedTimer {
  at: Micros | undefined
}

export interface ProcessConsumerConfig {
  instance: string
  pendingTimeout: Micros
  /** The topics the consumer group reads (the `init` message tells the process). */
  topics: readonly string[]
  /** The process's own SQLite database file, shared by the instances of a run. */
  dbPath: string
  /** Pass the child's stderr through to racelab's (one run); otherwise it is kept and shown when the process fails. */
  inheritStderr?: boolean
}

/** One answer that was not what the protocol asks for this request: a handler failure, retried like a throw. */
class BadAnswer extends Error {}

/**
 * A consumer process behind the consumer seam (`--handler-cmd`, docs/handler-protocol.md): each
 * ELS instance is one child process, spoken to over the line-delimited JSON protocol, and racelab
 * waits for every answer, so the run stays a pure function of its seed. This object is the ELS
 * process's plumbing, as for a handler module: the schema check and dead letters (in racelab's
 * database), and ELS's outbox, where racelab writes the events the process reports, in the
 * transaction that reads its answer (no fault falls between the process's commit and those rows).
 * A restart kills the child (SIGKILL) and starts a fresh one over the same database file.
 */
export class ProcessConsumer implements InputConsumer {
  readonly outbox: Outbox
  /**
   * The register-db-error fault cannot reach a write in another process's database: it is never
   * asked here (docs/handler-protocol.md#faults), and the wiring's assignment is kept but unused.
   */
  failRegistrationMidway: () => boolean = () => false

  private readonly words: string[]
  /** Dead letters, retries and the timer's give-up, shared with the handler module. */
  private readonly retries: HandlerRetries
  private readonly messageTx: (delivery: Delivery, envelope: Envelope, call: MessageCall, now: Micros) => ElsHandled
  private readonly timerTx: (now: Micros) => Expired[]
  private child = 0
  private ready = false

  constructor(
    private readonly cmd: HandlerCommand,
    private readonly ids: IdSource,
    private readonly config: ProcessConsumerConfig,
    db: Database.Database,
    private readonly timer: SharedTimer,
    private readonly channel: ProcessChannel = processChannel(),
  ) {
    this.words = commandWords(cmd.command)
    this.outbox = new Outbox(db)
    // Only an answer that is not `handled` is a handler failure: racelab's part rolled back (no outbox rows), the process said it rolled back its own.
    this.retries = new HandlerRetries(db, (error) => (error instanceof BadAnswer ? error.message : undefined))
    this.messageTx = db.transaction((delivery: Delivery, envelope: Envelope, call: MessageCall, now: Micros) => this.message(delivery, envelope, call, now))
    this.timerTx = db.transaction((now: Micros) => this.timerCall(now))
    this.start()
  }

  /** A process restart: SIGKILL, then a fresh process over the same database; its memory is gone. */
  restart(): void {
    this.channel.kill(this.child)
    this.start()
  }

  /** The run is over: the process is killed (nothing is left behind). */
  close(): void {
    this.channel.kill(this.child)
  }

  handle(delivery: Delivery, now: Micros): ElsHandled {
    return this.retries.handle(
      delivery,
      (call, envelope) => `${this.cmd.command}: ${call} failed on ${describeEvent(envelope)}`,
      (envelope, call) => this.messageTx(delivery, envelope, call, now),
    )
  }

  nextTimerAt(): Micros | undefined {
    return this.retries.timerStopped ? undefined : this.timer.at
  }

  onTimer(now: Micros): Expired[] {
    return this.retries.timer(() => this.timerTx(now))
  }

  /** Waits for the process's `ready` (the first request does it anyway): a broken setup shows here. */
  awaitReady(): void {
    if (this.ready) return
    const first = this.read(() => 'answering init', Math.max(this.cmd.timeoutMs, START_TIMEOUT_MS))
    if (first.type !== 'ready') this.broken(`answered init with "${first.type}", not "ready"`)
    this.ready = true
  }

  private start(): void {
    this.child = this.channel.spawn(this.words[0], this.words.slice(1), process.cwd(), this.config.inheritStderr)
    this.ready = false
    // Waited for at once: no two processes of a run ever work at the same time, even at start-up.
    this.send({
      type: 'init',
      protocol: PROTOCOL_VERSION,
      db: this.config.dbPath,
      instance: this.config.instance,
      topics: [...this.config.topics],
      pending_timeout: this.config.pendingTimeout,
    })
    this.awaitReady()
  }

  private message(delivery: Delivery, envelope: Envelope, call: MessageCall, now: Micros): ElsHandled {
    const handled = this.ask(
      {type: 'message', topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, now, envelope},
      () => `${call} of ${describeEvent(envelope)} at ${formatSeconds(now)}`,
    )
    const emitted = this.write(handled, now, envelope.correlation_id)
    return {
      outcome: {kind: 'handler', batchId: envelope.data.batch_id, call, ref: refOf(envelope)},
      emitted,
      completed: emitted.includes(TOPICS.batchEssaysReady),
    }
  }

  private timerCall(now: Micros): Expired[] {
    const handled = this.ask({type: 'timer', now}, () => `the timer at ${formatSeconds(now)}`)
    this.write(handled, now, undefined)
    return handled.emit.flatMap((e): Expired[] => {
      const data = e.data as Partial<DataOf<typeof TOPICS.excessContentProvisioned>>
      return e.event_type === TOPICS.excessContentProvisioned && data.reason === 'BATCH_NEVER_REGISTERED'
        ? [{batch: e.data.batch_id, kind: 'content', ref: String(data.text_storage_id)}]
        : []
    })
  }

  /** The process's events, into ELS's outbox in this transaction: racelab builds each envelope (event id from the seed, time from `now`). */
  private write(handled: HandledAnswer, now: Micros, correlationId: string | undefined): ElsEmitted[] {
    for (const event of handled.emit) {
      const batchId = event.data.batch_id
      addElsEvent(this.outbox, this.ids, event.event_type, batchId, event.data as DataOf<ElsEmitted>, correlationId ?? `corr-${batchId}`, now)
    }
    this.timer.at = handled.next_timer_at ?? undefined
    return handled.emit.map((e) => e.event_type)
  }

  /** One request and its answer: `handled`, or a BadAnswer (a handler failure); a broken process stops the run. */
  private ask(request: Request, what: () => string): HandledAnswer {
    this.awaitReady()
    const stray = this.channel.pending(this.child)
    if (stray?.kind === 'line') this.broken(`wrote to stdout outside the protocol, before ${what()}: ${quoted(stray.line)}`)
    this.send(request)
    const got = this.read(what)
    if (got.type === 'error') throw new BadAnswer(got.message)
    if (got.type !== 'handled') throw new BadAnswer(`answered "${got.type}" to ${request.type}, not "handled" or "error"`)
    return got
  }

  private read(what: () => string, timeoutMs = this.cmd.timeoutMs): Answer {
    const event = this.channel.receive(this.child, timeoutMs)
    switch (event.kind) {
      case 'timeout':
        return this.broken(`did not answer within ${timeoutMs} ms${timeoutMs === this.cmd.timeoutMs ? ' (--handler-timeout)' : ''}, ${what()}`)
      case 'spawn-error':
        return this.broken(`does not start: ${event.error}`)
      case 'exit':
        return this.broken(`exited (${event.signal === null ? `code ${event.code}` : `signal ${event.signal}`}) ${what()}`)
      case 'line': {
        let json: unknown
        try {
          json = JSON.parse(event.line)
        } catch {
          return this.broken(`wrote to stdout outside the protocol, ${what()}: ${quoted(event.line)} (print diagnostics to stderr)`)
        }
        const type = typeof json === 'object' && json !== null ? (json as {type?: unknown}).type : undefined
        if (type !== 'ready' && type !== 'handled' && type !== 'error') {
          return this.broken(`wrote to stdout outside the protocol, ${what()}: ${quoted(event.line)} (an answer is {"type": "ready" | "handled" | "error", ...})`)
        }
        const parsed = answer.safeParse(json)
        if (parsed.success) return parsed.data
        const issue = parsed.error.issues[0]
        throw new BadAnswer(`a "${type}" answer that does not follow the protocol: ${issue.path.join('.') || 'answer'}: ${issue.message}`)
      }
    }
  }

  /** A broken setup stops the run: one line naming the command and what it did (exit 2), then what it wrote to stderr. */
  private broken(what: string): never {
    const stderr = this.channel.stderr(this.child).trimEnd()
    this.channel.kill(this.child)
    const tail = stderr === '' ? '' : `\n  its stderr, last lines:\n${stderr.split('\n').slice(-15).map((l) => `    ${l}`).join('\n')}`
    throw new InputError(`--handler-cmd '${this.cmd.command}' (${this.config.instance}): ${what}${tail}`)
  }

  private send(request: Request): void {
    this.channel.send(this.child, JSON.stringify(request))
  }
}

/**
 * Starts the command once over a new database and waits for its `ready`, so a command that does
 * not start, exits or answers garbage is refused before any run (and before verify's workers).
 */
export function probeHandlerCommand(cmd: HandlerCommand): void {
  const dir = mkdtempSync(join(tmpdir(), 'racelab-els-'))
  const db = openServiceDb('els', HANDLER_DB_SCHEMA)
  const consumer = new ProcessConsumer(cmd, new IdSource(0), {instance: 'els', pendingTimeout: DAY, topics: ELS_INPUT_TOPICS, dbPath: join(dir, 'els.sqlite')}, db, {at: undefined})
  try {
    consumer.awaitReady()
  } finally {
    consumer.close()
    closeServiceDb(db)
    rmSync(dir, {recursive: true, force: true})
  }
}

const DAY = 24 * 3600 * SECOND

/** A program's start-up (an interpreter, a JVM) may take longer than one answer: `init` gets at least this long. */
const START_TIMEOUT_MS = 30_000

function quoted(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)
}
