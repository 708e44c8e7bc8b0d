import {ms, type Micros} from '../kernel/time.js'

export type {ElsCrashPoint, RelayCrashPoint, ServiceCrashPoint} from '../scenario/crash-target.js'

/** How long BOS or the File Service takes to come back after a crash; the client retries then. */
export const SERVICE_RESTART: Micros = ms(500)

/**
 * Thrown at a commit boundary of a consumer's handling when the crash fault fires there: the
 * process is gone, so nothing after the transaction that just committed happens.
 */
export class ProcessCrash extends Error {
  override readonly name = 'ProcessCrash'
}
