import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type Database from 'better-sqlite3'

import type {BusMessage} from '../bus/bus.js'
import type {DataOf, Envelope} from '../domain/events.js'
import {IdSource} from '../domain/ids.js'
import {ELS_INPUT_TOPICS, TOPICS} from '../domain/topics.js'
import {InputError} from '../input-error.js'
import {formatSeconds, type Micros, SECOND} from '../kernel/time.js'
import {addElsEvent} from '../outbox/els-outbox-event.js'
import {Outbox} from '../outbox/outbox.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {statement} from '../sqlite/statements.js'
import {HANDLER_DB_SCHEMA} from './handler-db.js'
import type {ElsEmitted} from './els-handler.js'
import type {ElsHandled, HandlerCall} from './handled.js'
import {commandWords, type HandlerCommand} from './handler-command.js'
import {describeEvent, MAX_HANDLER_TRIES, refOf} from './handler-consumer.js'
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
  private readonly tries = new Map<string, number>()
  private readonly messageTx: (delivery: Delivery, envelope: Envelope, now: Micros) => ElsHandled
  private readonly timerTx: (now: Micros) => Expired[]
  private readonly deadLetterStmt: Database.Statement
  private child = 0
  private ready = false
  private timerFailures = 0

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
    this.deadLetterStmt = statement(db, 'INSERT INTO dead_letters (topic, partition, kafka_offset, error, value) VALUES (?, ?, ?, ?, ?)')
    this.messageTx = db.transaction((delivery: Delivery, envelope: Envelope, now: Micros) => this.message(delivery, envelope, now))
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
    const parsed = delivery.envelope
    if (!parsed.ok) return this.deadLetter(delivery, parsed.error)
    const envelope = parsed.envelope
    if (!(envelope.event_type in CALLS)) return this.deadLetter(delivery, `ELS does not consume ${envelope.event_type}`)
    const key = `${delivery.topic}/${delivery.partition}/${delivery.offset}`
    try {
      const handled = this.messageTx(delivery, envelope, now)
      this.tries.delete(key)
      return handled
    } catch (error) {
      if (!(error instanceof BadAnswer)) throw error
      // racelab's part rolled back (no outbox rows); the process said it rolled back its own.
      const tries = (this.tries.get(key) ?? 0) + 1
      const what = `${this.cmd.command}: ${CALLS[envelope.event_type as keyof typeof CALLS]} failed on ${describeEvent(envelope)}`
      if (tries < MAX_HANDLER_TRIES) {
        this.tries.set(key, tries)
        throw new Error(`handler failure: ${what} (try ${tries} of ${MAX_HANDLER_TRIES}): ${error.message}`)
      }
      this.tries.delete(key)
      return this.deadLetter(delivery, `handler failure: ${what} ${MAX_HANDLER_TRIES} times: ${error.message}`)
    }
  }

  nextTimerAt(): Micros | undefined {
    return this.timerFailures >= MAX_HANDLER_TRIES ? undefined : this.timer.at
  }

  onTimer(now: Micros): Expired[] {
    try {
      const expired = this.timerTx(now)
      this.timerFailures = 0
      return expired
    } catch (error) {
      if (!(error instanceof BadAnswer)) throw error
      // As for a handler module: after MAX_HANDLER_TRIES failures in a row the timer stops.
      this.timerFailures++
      return []
    }
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

  private message(delivery: Delivery, envelope: Envelope, now: Micros): ElsHandled {
    const call = CALLS[envelope.event_type as keyof typeof CALLS]
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

  private deadLetter(message: BusMessage, error: string): ElsHandled {
    this.deadLetterStmt.run(message.topic, message.partition, message.offset, error, message.value)
    return {outcome: {kind: 'dead-lettered', error}, emitted: [], completed: false}
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

const CALLS = {
  [TOPICS.batchEssaysRegistered]: 'onRegistered',
  [TOPICS.essayContentProvisioned]: 'onContent',
  [TOPICS.essayValidationFailed]: 'onValidationFailed',
} as const satisfies Partial<Record<Envelope['event_type'], HandlerCall>>

function quoted(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)
}
