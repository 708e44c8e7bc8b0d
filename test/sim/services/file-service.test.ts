import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseEnvelope} from '../../../src/sim/domain/events.js'
import {IdSource} from '../../../src/sim/domain/ids.js'
import {TOPICS} from '../../../src/sim/domain/topics.js'
import {
  FileService,
  MAX_TEXT_LENGTH,
  MIN_TEXT_LENGTH,
  validate,
  type BatchDirectory,
  type Upload,
} from '../../../src/sim/services/file-service.js'

const upload = (textLength: number, file = 1, batchId = 'b1'): Upload => ({
  batchId,
  fileUploadId: `${batchId}-f${file}`,
  fileName: `essay-${file}.docx`,
  textLength,
})

describe('validate', () => {
  it.each([
    [0, 'EMPTY_CONTENT'],
    [1, 'CONTENT_TOO_SHORT'],
    [49, 'CONTENT_TOO_SHORT'],
    [50, undefined],
    [1200, undefined],
    [50_000, undefined],
    [50_001, 'CONTENT_TOO_LONG'],
  ])('text of length %i -> %s', (length, expected) => {
    // Given / When
    const code = validate(length)

    // Then
    expect(code).toBe(expected)
  })

  it('uses the documented bounds', () => {
    // Given / When / Then
    expect([MIN_TEXT_LENGTH, MAX_TEXT_LENGTH]).toEqual([50, 50_000])
  })
})

describe('FileService', () => {
  let known: Set<string>
  let files: FileService

  beforeEach(() => {
    known = new Set(['b1'])
    const directory: BatchDirectory = {knows: (batchId) => known.has(batchId)}
    files = new FileService(new IdSource(2), directory)
  })

  afterEach(() => {
    files.close()
  })

  const outboxRows = (): {id: number; aggregate_id: string; aggregate_type: string; event_type: string; topic: string; event_key: string; event_data: string; created_at: number}[] =>
    files.db.prepare('SELECT * FROM outbox ORDER BY id').all() as never

  it('refuses uploads for a batch BOS does not know', () => {
    // Given / When
    const decision = files.accept(upload(1200, 1, 'b9'))

    // Then
    expect(decision).toEqual({accepted: false, reason: 'batch b9 is not registered at BOS'})
  })

  it('accepts uploads for a known batch, and asks BOS each time', () => {
    // Given / When
    const before = files.accept(upload(1200, 1, 'b2'))
    known.add('b2')
    const after = files.accept(upload(1200, 1, 'b2'))

    // Then
    expect(before.accepted).toBe(false)
    expect(after).toEqual({accepted: true})
  })

  it('finishProcessing of valid text writes the upload row and an EssayContentProvisioned outbox row', () => {
    // Given / When
    const outcome = files.finishProcessing(upload(1200), 900)

    // Then
    expect(outcome).toMatchObject({kind: 'provisioned', textStorageId: 'text-b1-f1'})
    expect(files.uploads()).toEqual([
      {batchId: 'b1', fileUploadId: 'b1-f1', textStorageId: 'text-b1-f1', valid: true, committedAt: 900},
    ])
    const rows = outboxRows()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      id: outcome.row,
      aggregate_id: 'b1-f1',
      aggregate_type: 'file_upload',
      event_type: TOPICS.essayContentProvisioned,
      topic: TOPICS.essayContentProvisioned,
      event_key: 'b1-f1',
      created_at: 900,
    })
    const parsed = parseEnvelope(rows[0].event_data)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.envelope.event_type).toBe(TOPICS.essayContentProvisioned)
    expect(parsed.envelope.source_service).toBe('file')
    expect(parsed.envelope.data).toMatchObject({
      batch_id: 'b1',
      file_upload_id: 'b1-f1',
      original_file_name: 'essay-1.docx',
      raw_file_storage_id: 'raw-b1-f1',
      text_storage_id: 'text-b1-f1',
    })
  })

  it.each([
    [0, 'EMPTY_CONTENT'],
    [49, 'CONTENT_TOO_SHORT'],
    [50_001, 'CONTENT_TOO_LONG'],
  ] as const)('finishProcessing of text length %i writes an EssayValidationFailed row (%s)', (length, code) => {
    // Given / When
    const outcome = files.finishProcessing(upload(length, 2), 50)

    // Then
    expect(outcome).toMatchObject({kind: 'failed', code})
    expect(files.uploads()).toEqual([
      {batchId: 'b1', fileUploadId: 'b1-f2', textStorageId: undefined, valid: false, committedAt: 50},
    ])
    const rows = outboxRows()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({id: outcome.row, event_type: TOPICS.essayValidationFailed, event_key: 'b1-f2'})
    const parsed = parseEnvelope(rows[0].event_data)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.envelope.event_type).toBe(TOPICS.essayValidationFailed)
    expect(parsed.envelope.data).toMatchObject({batch_id: 'b1', file_upload_id: 'b1-f2', validation_error_code: code})
  })

  it('is atomic: when the outbox insert fails, no upload row is left', () => {
    // Given an outbox that refuses inserts
    files.db.exec("CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END")

    // When
    const finish = (): unknown => files.finishProcessing(upload(1200), 10)

    // Then
    expect(finish).toThrow('outbox down')
    expect(files.uploads()).toEqual([])
    expect(outboxRows()).toEqual([])
  })

  it('a second commit of the same upload id (the client retrying after a crash) is answered with the first outcome, without a second outbox row', () => {
    // Given a committed upload
    const first = files.finishProcessing(upload(1200), 10)
    expect(files.hasUpload(upload(1200).fileUploadId)).toBe(true)

    // When
    const again = files.finishProcessing(upload(1200), 20)

    // Then
    expect(again).toEqual(first)
    expect(files.uploads()).toHaveLength(1)
    expect(outboxRows().map((row) => row.created_at)).toEqual([10])
  })

  it('finishProcessingOnce tells the client whether its commit was a repeat', () => {
    // Given / When a commit and its retry
    const first = files.finishProcessingOnce(upload(1200), 10)
    const again = files.finishProcessingOnce(upload(1200), 20)

    // Then the same outcome, the second one a repeat
    expect(first.repeat).toBe(false)
    expect(again).toEqual({outcome: first.outcome, repeat: true})
  })
})
