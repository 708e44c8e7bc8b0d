import {formatSeconds, type Micros} from '../kernel/time.js'
import type {LivenessModel} from './observation.js'

/** How long a fault-free run may take to converge from some moment, and what the figure is made of. */
export interface ConvergenceBound {
  bound: Micros
  /** The bound's parts, for a reader ("file-relay had 2 rows waiting: ..."). */
  because: string
}

/**
 * The bound from `from` on, with no fault after it: every relay finishes the poll it is in, then
 * works through the rows waiting in its outbox at `from`, one poll per `pollBatch` rows (the
 * slowest relay decides); the broker makes the last message visible; ELS handles its messages.
 */
export function convergenceBound(model: LivenessModel, from: Micros): ConvergenceBound {
  let worst = {wait: 0, text: 'no relay'}
  for (const relay of model.relays) {
    const backlog = Math.max(0, countAtOrBefore(relay.committed, from) - countAtOrBefore(relay.marked, from))
    const polls = Math.ceil(backlog / model.pollBatch) + 1
    const wait = polls * relay.perPoll + relay.idlePoll
    if (wait > worst.wait) {
      worst = {
        wait,
        text: `${relay.label} had ${plural(backlog, 'row')} waiting: ${plural(polls, 'poll')} × ${formatSeconds(relay.perPoll)} + an idle poll of ${formatSeconds(relay.idlePoll)}`,
      }
    }
  }
  const els = model.elsMessages * model.elsPerMessage
  return {
    bound: worst.wait + model.kafka + els + model.slack,
    because: `${worst.text}; ELS ${plural(model.elsMessages, 'message')} × ${formatSeconds(model.elsPerMessage)}; ${formatSeconds(model.slack)} slack`,
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function countAtOrBefore(sorted: readonly Micros[], t: Micros): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}
