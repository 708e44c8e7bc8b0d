import type {BusMessage} from '../../../src/sim/bus/bus.js'
import {envelopeJson} from '../../../src/sim/domain/envelope.js'
import type {DataOf, EventType, ValidationErrorCode} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import type {Micros} from '../../../src/sim/kernel/time.js'

/** Builds the bus messages ELS consumes, each with a fresh event id and increasing offset. */
export class Messages {
  private offset = 0
  private readonly ids = new IdSource(0xfeed)

  message<T extends EventType>(type: T, key: string, data: DataOf<T>, eventId = this.ids.eventId(), at: Micros = 0): BusMessage {
    const value = envelopeJson(type, data, {eventId, at, source: 'file', correlationId: `corr-${data.batch_id}`})
    return this.raw(type, key, value, eventId)
  }

  raw(topic: string, key: string, value: string, eventId = 'none'): BusMessage {
    return {
      topic,
      key,
      value,
      headers: {event_id: eventId, event_type: topic},
      partition: 0,
      offset: this.offset++,
      appendedAt: 0,
    }
  }

  registered(batch: string, essays: number): BusMessage {
    const essayIds = Array.from({length: essays}, (_, i) => `${batch}-e${i + 1}`)
    return this.message(TOPICS.batchEssaysRegistered, batch, {
      batch_id: batch,
      expected_essay_count: essays,
      essay_ids: essayIds,
      course_code: 'ENG5',
      user_id: 'teacher-1',
    })
  }

  /** Content of file number `file` (1-based) of `batch`. */
  content(batch: string, file: number): BusMessage {
    const upload = `${batch}-f${file}`
    return this.message(TOPICS.essayContentProvisioned, upload, {
      batch_id: batch,
      file_upload_id: upload,
      original_file_name: `essay-${file}.docx`,
      raw_file_storage_id: `raw-${upload}`,
      text_storage_id: `text-${upload}`,
      file_size_bytes: 3424,
      content_md5_hash: 'abc',
    })
  }

  failed(batch: string, file: number, code: ValidationErrorCode = 'CONTENT_TOO_SHORT'): BusMessage {
    const upload = `${batch}-f${file}`
    return this.message(TOPICS.essayValidationFailed, upload, {
      batch_id: batch,
      file_upload_id: upload,
      original_file_name: `essay-${file}.docx`,
      validation_error_code: code,
      file_size_bytes: 1064,
    })
  }

  /** The same envelope under a new event id, as the real relay re-sent it. */
  resent(message: BusMessage): BusMessage {
    const eventId = this.ids.eventId()
    const value = message.value.replace(/^\{"event_id":"[^"]+"/, `{"event_id":"${eventId}"`)
    return this.raw(message.topic, message.key, value, eventId)
  }

  /** The very same message delivered again (a Kafka redelivery). */
  redelivered(message: BusMessage): BusMessage {
    return {...message, offset: this.offset++}
  }
}
