import {hash} from 'node:crypto'

import type Database from 'better-sqlite3'

import {envelopeJson} from '../domain/envelope.js'
import {routeFor} from '../domain/routing.js'
import type {ValidationErrorCode} from '../domain/events.js'
import {type IdSource, rawStorageId, textStorageId} from '../domain/ids.js'
import {TOPICS} from '../domain/topics.js'
import type {Micros} from '../kernel/time.js'
import {Outbox, OUTBOX_SCHEMA} from '../outbox/outbox.js'
import type {Routing} from '../domain/routing.js'
import {closeServiceDb, openServiceDb} from '../sqlite/service-db.js'
import {statement} from '../sqlite/statements.js'
import {reusedTransaction} from '../sqlite/reused-transaction.js'

const FILE_SCHEMA = `
CREATE TABLE file_uploads (
  file_upload_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  original_file_name TEXT NOT NULL,
  text_storage_id TEXT,
  text_length INTEGER NOT NULL,
  validation_error_code TEXT,
  committed_at INTEGER NOT NULL
);
`

// One string for every run: the pool looks databases up by their schema's text, and a string
// built anew each run is hashed anew each run.
const SCHEMA = FILE_SCHEMA + OUTBOX_SCHEMA

/** Valid extracted text is 50 to 50,000 characters long. */
export const MIN_TEXT_LENGTH = 50
export const MAX_TEXT_LENGTH = 50_000

/** An upload row as the checker reads it (`uploads()`). */
export interface CommittedUpload {
  batchId: string
  fileUploadId: string
  textStorageId: string | undefined
  valid: boolean
  committedAt: Micros
}

export interface Upload {
  batchId: string
  fileUploadId: string
  fileName: string
  /** Length of the text the extraction yields; decides validity. */
  textLength: number
}

export type UploadDecision = {accepted: true} | {accepted: false; reason: string}

export type ProcessingOutcome =
  | {kind: 'provisioned'; textStorageId: string; row: number}
  | {kind: 'failed'; code: ValidationErrorCode; row: number}

export function validate(textLength: number): ValidationErrorCode | undefined {
  if (textLength === 0) return 'EMPTY_CONTENT'
  if (textLength < MIN_TEXT_LENGTH) return 'CONTENT_TOO_SHORT'
  if (textLength > MAX_TEXT_LENGTH) return 'CONTENT_TOO_LONG'
  return undefined
}

/** What the File Service needs from BOS: whether a batch exists (a query API call). */
export interface BatchDirectory {
  knows(batchId: string): boolean
}

/**
 * File Service: refuses uploads for batches BOS does not know, then (after the processing time
 * the caller simulates) writes the upload row and its outbox row in ONE transaction.
 */
export class FileService {
  readonly db: Database.Database
  readonly outbox: Outbox
  private readonly insertUpload: Database.Statement
  private readonly findUpload: Database.Statement
  private readonly uploadRow: Database.Statement
  private readonly complete: (upload: Upload, now: Micros) => {outcome: ProcessingOutcome; repeat: boolean}

  constructor(
    private readonly ids: IdSource,
    private readonly directory: BatchDirectory,
    dir?: string,
    private readonly routing: Routing = 'event-topics',
  ) {
    this.db = openServiceDb('file', SCHEMA, dir)
    this.outbox = new Outbox(this.db)
    this.insertUpload = statement(this.db, 
      `INSERT INTO file_uploads (file_upload_id, batch_id, original_file_name, text_storage_id, text_length, validation_error_code, committed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.findUpload = statement(this.db, 'SELECT text_storage_id, validation_error_code FROM file_uploads WHERE file_upload_id = ?')
    this.uploadRow = statement(this.db, 'SELECT id FROM outbox WHERE aggregate_id = ? ORDER BY id LIMIT 1').pluck()
    this.complete = reusedTransaction(this.db, 'file.complete', (upload: Upload, now: Micros) => {
      const committed = this.committed(upload.fileUploadId)
      return committed ? {outcome: committed, repeat: true} : {outcome: this.store(upload, now), repeat: false}
    })
  }

  accept(upload: Upload): UploadDecision {
    if (!this.directory.knows(upload.batchId)) {
      return {accepted: false, reason: `batch ${upload.batchId} is not registered at BOS`}
    }
    return {accepted: true}
  }

  /** Whether the upload's row is committed (a client retrying after a crash asks again). */
  hasUpload(fileUploadId: string): boolean {
    return this.findUpload.get(fileUploadId) !== undefined
  }

  /**
   * A committed upload's outcome: a client retrying after a crash that lost the answer gets it
   * again (the upload id is its idempotency key), and nothing is written twice.
   */
  private committed(fileUploadId: string): ProcessingOutcome | undefined {
    const row = this.findUpload.get(fileUploadId) as {text_storage_id: string | null; validation_error_code: ValidationErrorCode | null} | undefined
    if (row === undefined) return undefined
    const outboxRow = this.uploadRow.get(fileUploadId) as number
    return row.text_storage_id !== null
      ? {kind: 'provisioned', textStorageId: row.text_storage_id, row: outboxRow}
      : {kind: 'failed', code: row.validation_error_code!, row: outboxRow}
  }

  /** Upload row + outbox row (content provisioned, or validation failed) in ONE transaction; a repeat is answered, not written. */
  finishProcessing(upload: Upload, now: Micros): ProcessingOutcome {
    return this.complete(upload, now).outcome
  }

  /** finishProcessing, telling a repeat (the upload was committed already: answered, nothing written) from a first commit. */
  finishProcessingOnce(upload: Upload, now: Micros): {outcome: ProcessingOutcome; repeat: boolean} {
    return this.complete(upload, now)
  }

  private store(upload: Upload, now: Micros): ProcessingOutcome {
    const {batchId, fileUploadId, fileName, textLength} = upload
    const code = validate(textLength)
    const context = {eventId: this.ids.eventId(), at: now, source: 'file' as const, correlationId: `corr-${batchId}`}
    const sizeBytes = textLength * 2 + 1024
    if (code !== undefined) {
      this.insertUpload.run(fileUploadId, batchId, fileName, null, textLength, code, now)
      const row = this.outbox.add(
        {
          aggregateId: fileUploadId,
          aggregateType: 'file_upload',
          eventType: TOPICS.essayValidationFailed,
          ...routeFor(this.routing, TOPICS.essayValidationFailed, fileUploadId, batchId),
          eventData: envelopeJson(
            TOPICS.essayValidationFailed,
            {
              batch_id: batchId,
              file_upload_id: fileUploadId,
              original_file_name: fileName,
              validation_error_code: code,
              file_size_bytes: sizeBytes,
            },
            context,
          ),
        },
        now,
      )
      return {kind: 'failed', code, row}
    }
    const text = textStorageId(fileUploadId)
    this.insertUpload.run(fileUploadId, batchId, fileName, text, textLength, null, now)
    const row = this.outbox.add(
      {
        aggregateId: fileUploadId,
        aggregateType: 'file_upload',
        eventType: TOPICS.essayContentProvisioned,
        ...routeFor(this.routing, TOPICS.essayContentProvisioned, fileUploadId, batchId),
        eventData: envelopeJson(
          TOPICS.essayContentProvisioned,
          {
            batch_id: batchId,
            file_upload_id: fileUploadId,
            original_file_name: fileName,
            raw_file_storage_id: rawStorageId(fileUploadId),
            text_storage_id: text,
            file_size_bytes: sizeBytes,
            content_md5_hash: hash('md5', `${fileUploadId}:${textLength}`, 'hex'),
          },
          context,
        ),
      },
      now,
    )
    return {kind: 'provisioned', textStorageId: text, row}
  }

  uploads(): CommittedUpload[] {
    const rows = statement(this.db, 
        'SELECT batch_id, file_upload_id, text_storage_id, validation_error_code, committed_at FROM file_uploads ORDER BY rowid',
      )
      .iterate() as IterableIterator<{
      batch_id: string
      file_upload_id: string
      text_storage_id: string | null
      validation_error_code: string | null
      committed_at: Micros
    }>
    // Row by row, and one string per batch id: a large run's 250,000 rows read at once are
    // garbage that outlives the young generation and lifts the judge's peak (docs/benchmarks.md).
    const batchIds = new Map<string, string>()
    const uploads: CommittedUpload[] = []
    for (const row of rows) {
      let batchId = batchIds.get(row.batch_id)
      if (batchId === undefined) {
        batchId = row.batch_id
        batchIds.set(batchId, batchId)
      }
      uploads.push({
        batchId,
        fileUploadId: row.file_upload_id,
        textStorageId: row.text_storage_id ?? undefined,
        valid: row.validation_error_code === null,
        committedAt: row.committed_at,
      })
    }
    return uploads
  }

  close(): void {
    closeServiceDb(this.db)
  }
}
