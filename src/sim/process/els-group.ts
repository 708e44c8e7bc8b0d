import {ms, type Micros} from '../kernel/time.js'

/** ELS's consumer group, in both shells. */
export const ELS_GROUP = 'essay-lifecycle-service'
/** How long a crashed or restarted ELS instance takes to rejoin the group. */
export const ELS_RESTART: Micros = ms(500)
/** A message whose handling threw is handled again after this long (kafkajs's first retry). */
export const HANDLE_RETRY: Micros = ms(100)
