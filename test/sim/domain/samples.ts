import type {DataOf, EventType} from '../../../src/sim/domain/events.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'

/** One valid payload per event type. */
export const SAMPLE_DATA: {[T in EventType]: DataOf<T>} = {
  [TOPICS.batchEssaysRegistered]: {
    batch_id: 'b1',
    expected_essay_count: 2,
    essay_ids: ['b1-e1', 'b1-e2'],
    course_code: 'ENG5',
    user_id: 'teacher-1',
  },
  [TOPICS.essayContentProvisioned]: {
    batch_id: 'b1',
    file_upload_id: 'b1-f1',
    original_file_name: 'essay-1.docx',
    raw_file_storage_id: 'raw-b1-f1',
    text_storage_id: 'text-b1-f1',
    file_size_bytes: 3424,
    content_md5_hash: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  [TOPICS.essayValidationFailed]: {
    batch_id: 'b1',
    file_upload_id: 'b1-f2',
    original_file_name: 'essay-2.docx',
    validation_error_code: 'CONTENT_TOO_SHORT',
    file_size_bytes: 1064,
  },
  [TOPICS.excessContentProvisioned]: {
    batch_id: 'b1',
    original_file_name: 'essay-3.docx',
    text_storage_id: 'text-b1-f3',
    reason: 'NO_AVAILABLE_SLOT',
  },
  [TOPICS.batchEssaysReady]: {
    batch_id: 'b1',
    ready_essays: [
      {essay_id: 'b1-e1', text_storage_id: 'text-b1-f1'},
      {essay_id: 'b1-e2', text_storage_id: 'text-b1-f2'},
    ],
  },
  [TOPICS.essaySlotAssigned]: {
    batch_id: 'b1',
    essay_id: 'b1-e1',
    file_upload_id: 'b1-f1',
    text_storage_id: 'text-b1-f1',
  },
}
