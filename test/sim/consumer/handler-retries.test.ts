import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {DEAD_LETTERS_SCHEMA} from '../../../src/sim/consumer/dead-letters.js'
import type {ElsHandled} from '../../../src/sim/consumer/handled.js'
import {HandlerRetries, MAX_HANDLER_TRIES} from '../../../src/sim/consumer/handler-retries.js'
import {deliveryOf} from '../../../src/sim/consumer/input-consumer.js'
import {ProcessCrash} from '../../../src/sim/consumer/process-crash.js'
import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {InputError} from '../../../src/sim/input-error.js'

const content = envelopeJson(
  TOPICS.essayContentProvisioned,
  {batch_id: 'b1', file_upload_id: 'b1-f1', original_file_name: 'e.docx', raw_file_storage_id: 'raw-b1-f1', text_storage_id: 'text-b1-f1', file_size_bytes: 1, content_md5_hash: 'x'},
  {eventId: '00000000-0000-4000-8000-000000000001', at: 0, source: 'file', correlationId: 'corr-b1'},
)
const message = (value: string, offset = 0) => deliveryOf({topic: TOPICS.essayContentProvisioned, key: 'b1-f1', value, headers: {}, partition: 0, offset, appendedAt: 0})
const ok: ElsHandled = {outcome: {kind: 'handler', batchId: 'b1', call: 'onContent', ref: 'text-b1-f1'}, emitted: [], completed: false}
const what = (call: string) => `h.mjs: ${call} threw`

function retries() {
  const db = new Database(':memory:')
  db.exec(DEAD_LETTERS_SCHEMA)
  const deadLetters = () => db.prepare('SELECT kafka_offset, error FROM dead_letters').all()
  // A handler module's rule: every other throw is a handler failure.
  return {retries: new HandlerRetries(db, (error) => (error as Error).message), deadLetters}
}

describe('HandlerRetries', () => {
  it('retries a failing call as a handler failure, then dead-letters it at the last try', () => {
    // Given
    const {retries: r, deadLetters} = retries()
    const boom = () => {
      throw new Error('boom')
    }
    // When
    const thrown = Array.from({length: MAX_HANDLER_TRIES - 1}, () => {
      try {
        r.handle(message(content), what, boom)
        return 'no throw'
      } catch (error) {
        return (error as Error).message
      }
    })
    const last = r.handle(message(content), what, boom)
    // Then
    expect(thrown[0]).toBe(`handler failure: h.mjs: onContent threw (try 1 of ${MAX_HANDLER_TRIES}): boom`)
    expect(thrown).toHaveLength(MAX_HANDLER_TRIES - 1)
    expect(last.outcome).toEqual({kind: 'dead-lettered', error: `handler failure: h.mjs: onContent threw ${MAX_HANDLER_TRIES} times: boom`})
    expect(deadLetters()).toEqual([{kafka_offset: 0, error: `handler failure: h.mjs: onContent threw ${MAX_HANDLER_TRIES} times: boom`}])
  })

  it('lets a simulated crash and a broken contract through untouched, counting no try', () => {
    // Given
    const {retries: r} = retries()
    const crash = new ProcessCrash('crashed after a transaction')
    const broken = new InputError('h.mjs: nextTimerAt returned NaN')
    // When / Then: each is the very error thrown, not a handler failure
    for (let i = 0; i < MAX_HANDLER_TRIES; i++) {
      expect(() => r.handle(message(content), what, () => { throw crash })).toThrow(crash)
      expect(() => r.handle(message(content), what, () => { throw broken })).toThrow(broken)
    }
    // and a failure afterwards is still the first try
    expect(() => r.handle(message(content), what, () => { throw new Error('boom') })).toThrow('(try 1 of 5)')
  })

  it('dead-letters what does not parse or what ELS does not consume, without calling', () => {
    // Given
    const {retries: r, deadLetters} = retries()
    const other = envelopeJson(TOPICS.batchEssaysReady, {batch_id: 'b1', ready_essays: []}, {eventId: '00000000-0000-4000-8000-000000000002', at: 0, source: 'els', correlationId: 'c'})
    let calls = 0
    // When
    const garbled = r.handle(message('{not json', 1), what, () => (calls++, ok))
    const ready = r.handle(message(other, 2), what, () => (calls++, ok))
    // Then
    expect(calls).toBe(0)
    expect(garbled.outcome.kind).toBe('dead-lettered')
    expect(deadLetters()).toHaveLength(2)
    expect(ready.outcome).toEqual({kind: 'dead-lettered', error: `ELS does not consume ${TOPICS.batchEssaysReady}`})
  })

  it('stops the timer after MAX_HANDLER_TRIES failures in a row; a success resets the count', () => {
    // Given
    const {retries: r} = retries()
    const fail = () => {
      throw new Error('timer boom')
    }
    // When
    for (let i = 0; i < MAX_HANDLER_TRIES - 1; i++) expect(r.timer(fail)).toEqual([])
    r.timer(() => [])
    for (let i = 0; i < MAX_HANDLER_TRIES - 1; i++) r.timer(fail)
    const before = r.timerStopped
    r.timer(fail)
    // Then
    expect(before).toBe(false)
    expect(r.timerStopped).toBe(true)
    expect(() => r.timer(() => { throw new ProcessCrash('x') })).toThrow(ProcessCrash)
  })
})
