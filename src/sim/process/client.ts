import {batchId as batchIdOf, essayId, fileUploadId} from '../domain/ids.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Bos} from '../services/bos.js'
import type {FileService, Upload} from '../services/file-service.js'
import {draw} from '../scenario/delay.js'
import {batchLayouts, type BatchLayout, type Scenario} from '../scenario/scenario.js'
import type {TraceEvent} from '../trace/trace-event.js'
import type {Clock} from './clock.js'
import {SERVICE_RESTART, type ServiceCrashPoint} from './crash-points.js'
import {SharedCpu} from './shared-cpu.js'

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
  /** The crash fault for BOS and the File Service, asked at each step boundary; absent: never. */
  crash?: (service: 'bos' | 'file') => boolean
  /** Prepended to every batch id (a black-box run must not meet another run's batches); default none. */
  batchPrefix?: string
}

/**
 * The client's side of the causal order (docs/domain.md#services): register a batch at BOS, and
 * only after that succeeded upload its files, each processed by the File Service for a while
 * before its upload row and outbox row are committed. Delays are drawn from the scenario.
 *
 * The crash fault (docs/domain.md#crashes): a service that crashed before or after committing
 * never answered, so the client sends the same request again once the service is back. Both
 * services treat a repeat as the same request (the client's batch id and upload id are its
 * idempotency keys): a registration or upload that was committed is answered, not written again.
 * A File Service crash also loses every upload it was still processing; each is sent again.
 */
export function startClient({clock, chooser, scenario, bos, files, trace, hooks, crash = () => false, batchPrefix = ''}: ClientOptions): void {
  let outstanding = 1
  /** Uploads the File Service is processing: a crash of its process loses them all. */
  const processing = new Map<string, {upload: Upload; index: number; cancel: () => void}>()
  let fileBackAt = 0
  // A file's processing: on a CPU of its own, or sharing the File Service's one CPU with every file in flight.
  const cpu = scenario.fileProcessing === 'shared-cpu' ? new SharedCpu(clock) : undefined
  const processFile = (work: number, done: () => void, label: string) => (cpu === undefined ? clock.after(work, done, label) : cpu.start(work, done))
  const end = (): void => {
    if (--outstanding === 0) hooks.done?.()
  }

  let start = 0
  batchLayouts(scenario).forEach((layout, b) => {
    start += draw(scenario.batchGap, chooser, 'batch-gap')
    const batch = batchPrefix + batchIdOf(b)
    outstanding++
    clock.after(
      start - clock.now(),
      () => {
        registerAndUpload(batch, layout)
        end()
      },
      `bos:register:${batch}`,
    )
  })
  end()

  function registerAndUpload(batch: string, layout: BatchLayout): void {
    if (layout.registered === false) {
      // BOS gave the client the batch id, but the registration never committed (see Bos.reserve).
      bos.reserve(batch)
    } else {
      const essayIds = Array.from({length: layout.essays}, (_, i) => essayId(batch, i))
      const now = clock.now()
      const bosCrashed = (point: ServiceCrashPoint): void => {
        trace({t: now, svc: 'bos', ev: 'crashed', point, batch, restartIn: SERVICE_RESTART})
        outstanding++
        clock.after(
          SERVICE_RESTART,
          () => {
            registerAndUpload(batch, layout)
            end()
          },
          `bos:register:${batch}`,
        )
      }
      if (crash('bos')) return bosCrashed('before-commit')
      const {row, repeat} = bos.registerBatchOnce({batchId: batch, essayIds, courseCode: 'ENG5', userId: 'teacher-1'}, now)
      if (!repeat) {
        trace({t: now, svc: 'bos', ev: 'batch-registered', batch, essays: essayIds.length, row})
        hooks.bosCommitted()
      }
      if (crash('bos')) return bosCrashed('after-commit')
    }
    let at = 0
    for (let f = 0; f < layout.files.length; f++) {
      at += draw(scenario.uploadGap, chooser, 'upload-gap')
      const upload: Upload = {
        batchId: batch,
        fileUploadId: fileUploadId(batch, f),
        fileName: `essay-${f + 1}.docx`,
        textLength: layout.files[f].valid ? VALID_TEXT_LENGTH : INVALID_TEXT_LENGTH,
      }
      outstanding++
      clock.after(at, () => uploadFile(upload, f), `file:upload:${upload.fileUploadId}`)
    }
  }

  function uploadFile(upload: Upload, index: number): void {
    const down = fileBackAt - clock.now()
    if (down > 0) {
      clock.after(down, () => uploadFile(upload, index), `file:upload:${upload.fileUploadId}`) // the service is restarting: no answer yet
      return
    }
    const decision = files.accept(upload)
    if (!decision.accepted) {
      trace({t: clock.now(), svc: 'file', ev: 'upload-refused', batch: upload.batchId, file: upload.fileUploadId, reason: decision.reason})
      end()
      return
    }
    trace({t: clock.now(), svc: 'file', ev: 'upload-accepted', batch: upload.batchId, file: upload.fileUploadId})
    const work = draw(scenario.processing(index), chooser, 'file-processing')
    const cancel = processFile(work, () => {
      processing.delete(upload.fileUploadId)
      if (crash('file')) return fileCrashed(upload, index, 'before-commit')
      const now = clock.now()
      const {outcome, repeat} = files.finishProcessingOnce(upload, now)
      if (!repeat) {
        trace({t: now, svc: 'file', ev: 'file-committed', batch: upload.batchId, file: upload.fileUploadId, outcome: outcome.kind, row: outcome.row})
        hooks.fileCommitted()
      }
      if (crash('file')) return fileCrashed(upload, index, 'after-commit')
      end()
    }, `file:process:${upload.fileUploadId}`)
    processing.set(upload.fileUploadId, {upload, index, cancel})
  }

  /** The File Service crashed serving `upload`: it and every upload still processing are sent again. */
  function fileCrashed(upload: Upload, index: number, point: ServiceCrashPoint): void {
    const lost = [...processing.values()]
    processing.clear()
    for (const p of lost) p.cancel()
    fileBackAt = clock.now() + SERVICE_RESTART
    const interrupted = lost.map((p) => p.upload.fileUploadId)
    trace({t: clock.now(), svc: 'file', ev: 'crashed', point, batch: upload.batchId, file: upload.fileUploadId, ...(interrupted.length > 0 ? {interrupted} : {}), restartIn: SERVICE_RESTART})
    for (const p of [{upload, index}, ...lost]) clock.after(SERVICE_RESTART, () => uploadFile(p.upload, p.index), `file:upload:${p.upload.fileUploadId}`)
  }
}
