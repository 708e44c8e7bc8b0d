/**
 * Thrown at a commit boundary of a consumer's handling when the crash fault fires there: the
 * process is gone, so nothing after the transaction that just committed happens. It unwinds
 * through the consumer seam, so it lives beside it (docs/architecture.md, `commit-boundaries.ts`).
 */
export class ProcessCrash extends Error {
  override readonly name = 'ProcessCrash'
}
