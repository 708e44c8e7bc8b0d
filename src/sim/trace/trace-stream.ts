import {openSafely, type SafeFile, type WriteTarget} from '../files/safe-write.js'
import type {TraceEvent} from './trace-event.js'

/** Bytes gathered before one write: few system calls, and a bounded buffer whatever the run's size. */
const CHUNK = 1 << 20

/**
 * A JSON-lines trace written while its run runs (`racelab run --trace FILE`, a run that keeps no
 * trace): the same bytes as `traceLines`, into the temporary file racelab's rule for the files it
 * writes uses (`files/safe-write.ts`), moved into place by `finish`. A run that fails to finish
 * leaves no half-written trace: `abandon` removes it, as a failed write does (one line, exit 2).
 */
export class TraceStream {
  private readonly file: SafeFile
  private pending = ''

  constructor(target: WriteTarget) {
    this.file = openSafely(target)
  }

  write(event: TraceEvent): void {
    this.pending += JSON.stringify(event) + '\n'
    if (this.pending.length >= CHUNK) this.flush()
  }

  finish(): void {
    this.flush()
    this.file.commit()
  }

  abandon(): void {
    this.file.abandon()
  }

  private flush(): void {
    if (this.pending === '') return
    this.file.write(this.pending)
    this.pending = ''
  }
}
