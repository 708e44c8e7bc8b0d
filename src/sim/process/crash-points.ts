import {ms, type Micros} from '../kernel/time.js'

export {ProcessCrash} from '../consumer/process-crash.js'
export type {ElsCrashPoint, RelayCrashPoint, ServiceCrashPoint} from '../scenario/crash-target.js'

/** How long BOS or the File Service takes to come back after a crash; the client retries then. */
export const SERVICE_RESTART: Micros = ms(500)
