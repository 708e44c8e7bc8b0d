import {batchId as batchIdOf, essayId, fileUploadId} from '../domain/ids.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Bos} from '../services/bos.js'
import type {FileService, Upload} from '../services/file-service.js'
import {draw} from '../scenario/delay.js'
import {batchLayouts, type BatchLayout, type Scenario} from '../scenario/scenario.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {Clock} from './clock.js'

/** Text lengths the client's files yield: well inside, and well below, the valid range. */
const VALID_TEXT_LENGTH = 1200
const INVALID_TEXT_LENGTH = 20

export interface ClientHooks {
  bosCommitted: () => void
  fileCommitted: () => void
  /** Every file of every batch was committed or refused. */
  done?: () => void
}

export interface ClientOptions {
  clock: Clock
  chooser: Chooser
  scenario: Scenario
  bos: Bos
  files: FileService
  trace: (event: TraceEvent) => void
  hooks: ClientHooks
}

/**
 * The client's side of the causal order (docs/domain.md#services): register a batch at BOS, and
 * only after that succeeded upload its files, each processed by the File Service for a while
 * before its upload row and outbox row are committed. Delays are drawn from the scenario.
 */
export function startClient({clock, chooser, scenario, bos, files, trace, hooks}: ClientOptions): void {
  let outstanding = 1
  const end = (): void => {
    if (--outstanding === 0) hooks.done?.()
  }

  let start = 0
  batchLayouts(scenario).forEach((layout, b) => {
    start += draw(scenario.batchGap, chooser)
    const batch = batchIdOf(b)
    outstanding++
    clock.after(start - clock.now(), () => {
      registerAndUpload(batch, layout)
      end()
    })
  })
  end()

  function registerAndUpload(batch: string, layout: BatchLayout): void {
    if (layout.registered === false) {
      // BOS gave the client the batch id, but the registration never committed (see Bos.reserve).
      bos.reserve(batch)
    } else {
      const essayIds = Array.from({length: layout.essays}, (_, i) => essayId(batch, i))
      const now = clock.now()
      const row = bos.registerBatch({batchId: batch, essayIds, courseCode: 'ENG5', userId: 'teacher-1'}, now)
      trace({t: now, svc: 'bos', ev: 'batch-registered', batch, essays: essayIds.length, row})
      hooks.bosCommitted()
    }
    let at = 0
    for (let f = 0; f < layout.files.length; f++) {
      at += draw(scenario.uploadGap, chooser)
      const upload: Upload = {
        batchId: batch,
        fileUploadId: fileUploadId(batch, f),
        fileName: `essay-${f + 1}.docx`,
        textLength: layout.files[f].valid ? VALID_TEXT_LENGTH : INVALID_TEXT_LENGTH,
      }
      outstanding++
      clock.after(at, () => uploadFile(upload, f))
    }
  }

  function uploadFile(upload: Upload, index: number): void {
    const decision = files.accept(upload)
    if (!decision.accepted) {
      trace({t: clock.now(), svc: 'file', ev: 'upload-refused', batch: upload.batchId, file: upload.fileUploadId, reason: decision.reason})
      end()
      return
    }
    trace({t: clock.now(), svc: 'file', ev: 'upload-accepted', batch: upload.batchId, file: upload.fileUploadId})
    clock.after(draw(scenario.processing(index), chooser), () => {
      const now = clock.now()
      const outcome = files.finishProcessing(upload, now)
      trace({t: now, svc: 'file', ev: 'file-committed', batch: upload.batchId, file: upload.fileUploadId, outcome: outcome.kind, row: outcome.row})
      hooks.fileCommitted()
      end()
    })
  }
}
