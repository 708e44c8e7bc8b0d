import {envelopeJson} from '../domain/envelope.js'
import type {DataOf, EventType} from '../domain/events.js'
import type {IdSource} from '../domain/ids.js'
import type {Micros} from '../kernel/time.js'
import type {Outbox} from './outbox.js'

/**
 * Writes one of ELS's own events to its outbox, in the caller's transaction: keyed and grouped by
 * batch, on the topic named after the event type, in a fresh envelope. Shared by racelab's ELS and
 * a user's handler (`ctx.emit`), so both publish exactly the same rows.
 */
export function addElsEvent<T extends EventType>(outbox: Outbox, ids: IdSource, type: T, batchId: string, data: DataOf<T>, correlationId: string, now: Micros): void {
  outbox.add(
    {
      aggregateId: batchId,
      aggregateType: 'essay_batch',
      eventType: type,
      topic: type,
      key: batchId,
      eventData: envelopeJson(type, data, {eventId: ids.eventId(), at: now, source: 'els', correlationId}),
    },
    now,
  )
}
