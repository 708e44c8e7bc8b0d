import * as z from 'zod'

import {envelopeSchema} from '../domain/events.js'
import {TOPICS} from '../domain/topics.js'

/**
 * The line-delimited JSON protocol between racelab and a consumer process (`--handler-cmd`,
 * docs/handler-protocol.md). One zod definition per message is both what racelab parses and the
 * JSON Schema it publishes (docs/handler-protocol/*.schema.json, written by `z.toJSONSchema`).
 * racelab writes one request line to the process's stdin and reads exactly one answer line from
 * its stdout before it goes on, so a run stays a pure function of its seed.
 */
export const PROTOCOL_VERSION = 1

const micros = z.number().int().nonnegative().describe('virtual time, in microseconds since the run started')

/** racelab → process, first: where the process's database is, who it is, what it consumes. */
export const initRequest = z
  .object({
    type: z.literal('init'),
    protocol: z.literal(PROTOCOL_VERSION),
    db: z.string().describe("absolute path of the process's own SQLite database file; every instance of a run gets the same file; it is new (empty) at the start of a run and survives restarts"),
    instance: z.string().describe('`els`, or `els-N` when a run has several instances'),
    topics: z.array(z.string()).describe('the topics this consumer group reads'),
    pending_timeout: micros.describe('how long an early event may wait for its registration before it expires, in microseconds (`--delay pending-timeout=`; default 24 h)'),
  })
  .strict()
  .meta({title: 'init', description: 'racelab → process, once, first: answer `ready` once the schema exists'})

/** racelab → process: one delivered message, already parsed and checked against its schema. */
export const messageRequest = z
  .object({
    type: z.literal('message'),
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    now: micros,
    envelope: envelopeSchema.describe('the event, checked against its schema (docs/domain.md#events-and-topics)'),
  })
  .strict()
  .meta({title: 'message', description: 'racelab → process: handle one delivered message in ONE transaction, commit, then answer `handled` (or roll back and answer `error`)'})

/** racelab → process: the timer the process asked for (`next_timer_at`) is due. */
export const timerRequest = z
  .object({type: z.literal('timer'), now: micros})
  .strict()
  .meta({title: 'timer', description: 'racelab → process: the timer is due; expire what waited too long, in ONE transaction, then answer `handled` (or `error`)'})

export const request = z.discriminatedUnion('type', [initRequest, messageRequest, timerRequest]).meta({title: 'request'})

/** The events ELS may emit: racelab builds the envelope and writes the row to ELS's outbox. */
export const emittedEvent = z
  .object({
    event_type: z.enum([TOPICS.batchEssaysReady, TOPICS.excessContentProvisioned, TOPICS.essaySlotAssigned]),
    data: z.looseObject({batch_id: z.string()}).describe("the event's payload (docs/domain.md#events-and-topics); its batch_id keys it. The checker judges it: `messages-parse` catches a malformed one"),
  })
  .strict()
  .meta({title: 'emitted event'})

/** process → racelab, after `init`. */
export const readyAnswer = z.object({type: z.literal('ready')}).strict().meta({title: 'ready', description: 'process → racelab: the answer to `init`'})

/** process → racelab: the handling committed; these are the events it wrote to its outbox. */
export const handledAnswer = z
  .object({
    type: z.literal('handled'),
    emit: z.array(emittedEvent).describe("the events this transaction wrote to ELS's outbox, in order; racelab writes them to the outbox as it reads the answer"),
    next_timer_at: micros.nullable().describe('when the process next wants a `timer` request (virtual µs, from the database the instances share), or null for never'),
  })
  .strict()
  .meta({title: 'handled', description: 'process → racelab: the transaction of a `message` or `timer` committed'})

/** process → racelab: the handling failed and rolled back: a handler failure (retried, dead-lettered on the 5th try). */
export const errorAnswer = z
  .object({type: z.literal('error'), message: z.string().describe('what went wrong, for the report')})
  .strict()
  .meta({title: 'error', description: 'process → racelab: the transaction rolled back; racelab retries the message (a handler failure)'})

export const answer = z.discriminatedUnion('type', [readyAnswer, handledAnswer, errorAnswer]).meta({title: 'answer'})

export type Request = z.infer<typeof request>
export type Answer = z.infer<typeof answer>
export type HandledAnswer = z.infer<typeof handledAnswer>

/** Every message of the protocol by file name, as docs/handler-protocol/*.schema.json publishes them. */
export const PROTOCOL_SCHEMAS = {
  init: initRequest,
  message: messageRequest,
  timer: timerRequest,
  ready: readyAnswer,
  handled: handledAnswer,
  error: errorAnswer,
} as const

/** The JSON Schema of one protocol message (draft 2020-12), as published. */
export function protocolJsonSchema(name: keyof typeof PROTOCOL_SCHEMAS): object {
  return z.toJSONSchema(PROTOCOL_SCHEMAS[name], {target: 'draft-2020-12'})
}
