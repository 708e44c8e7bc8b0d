import {batchId as batchIdOf, essayId, fileUploadId} from '../domain/ids.js'
import type {Simulation} from '../kernel/simulation.js'
import type {Bos} from '../services/bos.js'
import type {FileService, Upload} from '../services/file-service.js'
import {draw} from '../scenario/delay.js'
import {batchLayouts, type BatchLayout, type Scenario} from '../scenario/scenario.js'
import type {TraceEvent} from '../trace/trace-event.js'

/** Text lengths the simulated extraction yields: well inside, and well below, the valid range. */
const VALID_TEXT_LENGTH = 1200
const INVALID_TEXT_LENGTH = 20

export interface ClientHooks {
  bosCommitted: () => void
  fileCommitted: () => void
}

/**
 * The client's side of the causal order (DOMAIN.md): register a batch at BOS, and only after
 * that succeeded upload its files, each processed by the File Service for a while before its
 * upload row and outbox row are committed.
 */
export function startClient(
  sim: Simulation,
  scenario: Scenario,
  bos: Bos,
  files: FileService,
  trace: (event: TraceEvent) => void,
  hooks: ClientHooks,
): void {
  let start = 0
  batchLayouts(scenario).forEach((layout, b) => {
    start += draw(scenario.batchGap, sim.chooser)
    const batch = batchIdOf(b)
    sim.at(start, () => registerAndUpload(batch, layout))
  })

  function registerAndUpload(batch: string, layout: BatchLayout): void {
    const essayIds = Array.from({length: layout.essays}, (_, i) => essayId(batch, i))
    const row = bos.registerBatch({batchId: batch, essayIds, courseCode: 'ENG5', userId: 'teacher-1'}, sim.now)
    trace({t: sim.now, svc: 'bos', ev: 'batch-registered', batch, essays: essayIds.length, row})
    hooks.bosCommitted()
    let at = sim.now
    for (let f = 0; f < layout.files.length; f++) {
      at += draw(scenario.uploadGap, sim.chooser)
      const upload: Upload = {
        batchId: batch,
        fileUploadId: fileUploadId(batch, f),
        fileName: `essay-${f + 1}.docx`,
        textLength: layout.files[f].valid ? VALID_TEXT_LENGTH : INVALID_TEXT_LENGTH,
      }
      sim.at(at, () => uploadFile(upload, f))
    }
  }

  function uploadFile(upload: Upload, index: number): void {
    const decision = files.accept(upload)
    if (!decision.accepted) {
      trace({t: sim.now, svc: 'file', ev: 'upload-refused', batch: upload.batchId, file: upload.fileUploadId, reason: decision.reason})
      return
    }
    trace({t: sim.now, svc: 'file', ev: 'upload-accepted', batch: upload.batchId, file: upload.fileUploadId})
    sim.after(draw(scenario.processing(index), sim.chooser), () => {
      const outcome = files.finishProcessing(upload, sim.now)
      trace({
        t: sim.now,
        svc: 'file',
        ev: 'file-committed',
        batch: upload.batchId,
        file: upload.fileUploadId,
        outcome: outcome.kind,
        row: outcome.row,
      })
      hooks.fileCommitted()
    })
  }
}
