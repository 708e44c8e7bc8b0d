import {SHORT_NAME} from '../sim/domain/events.js'
import {formatSeconds} from '../sim/kernel/time.js'
import type {ElsOutcome} from '../sim/consumer/handled.js'
import type {ElsCrashPoint, RelayCrashPoint} from '../sim/process/crash-points.js'
import {MAX_PUBLISH_RETRIES} from '../sim/outbox/outbox.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'

export const SERVICE_COLUMN = 11

function describeOutcome(outcome: ElsOutcome): string {
  switch (outcome.kind) {
    case 'registered':
      return `created ${outcome.slots} slots${outcome.drained > 0 ? `, drained ${outcome.drained} pending` : ''}`
    case 'already-registered':
      return 'already registered: no-op'
    case 'assigned':
      return `${outcome.textStorageId} -> slot ${outcome.essayId}`
    case 'excess':
      return `${outcome.textStorageId} reported EXCESS (${outcome.reason})`
    case 'failure-counted':
      return `failure of ${outcome.fileUploadId} counted`
    case 'failure-lost':
      return `failure of ${outcome.fileUploadId} DROPPED: batch unknown`
    case 'buffered':
      return `${outcome.ref} buffered as pending: batch unknown`
    case 'duplicate':
      return `duplicate: ${outcome.why}`
    case 'dead-lettered':
      return `dead-lettered: ${outcome.error}`
    case 'handler':
      return `handler ${outcome.call}(${outcome.ref})`
  }
}

function shortType(type: string): string {
  return (SHORT_NAME as Record<string, string>)[type] ?? type
}

function batchOf(outcome: ElsOutcome): string {
  return outcome.kind === 'dead-lettered' ? '?' : outcome.batchId
}

const RELAY_CRASH: Record<RelayCrashPoint, (row: number) => string> = {
  'after-poll': (row) => `after reading rows from ${row}, before publishing them`,
  'after-publish': (row) => `after the broker acked row ${row}, before published_at`,
  'after-mark': (row) => `after marking row ${row} published, before its next step`,
}

const ELS_CRASH: Record<ElsCrashPoint, (message: string) => string> = {
  'before-handling': (m) => `after taking ${m}, before handling it`,
  'after-transaction': (m) => `after a transaction of handling ${m} committed, before the rest`,
  'after-handling': (m) => `after handling ${m}, before committing`,
  'after-offset-commit': (m) => `after committing ${m}`,
}

/** The timeline line: virtual time, service, what happened. */
export function formatTraceEvent(event: TraceEvent): string {
  const head = `${formatSeconds(event.t).padStart(9)}  ${event.svc.padEnd(SERVICE_COLUMN)} `
  switch (event.ev) {
    case 'batch-registered':
      return `${head}registered batch ${event.batch} (${event.essays} essays) + outbox row ${event.row}`
    case 'upload-accepted':
      return `${head}accepted upload ${event.file}, processing`
    case 'upload-refused':
      return `${head}REFUSED upload ${event.file}: ${event.reason}`
    case 'file-committed':
      return `${head}${event.file} ${event.outcome === 'provisioned' ? 'content provisioned' : 'failed validation'} + outbox row ${event.row}`
    case 'published':
      return `${head}published ${shortType(event.type)} key=${event.key} -> p${event.partition}@${event.offset}`
    case 'handled': {
      const emitted = event.emitted.length > 0 ? `  => ${event.emitted.map(shortType).join(', ')}` : ''
      return `${head}${shortType(event.type)} ${batchOf(event.outcome)} (p${event.partition}@${event.offset}): ${describeOutcome(event.outcome)}${emitted}`
    }
    case 'expired':
      return `${head}${event.ref} EXPIRED from pending: batch ${event.batch} never registered`
    case 'publish-failed':
      return `${head}publish of row ${event.row} FAILED (${event.error}), retry in ${formatSeconds(event.retryIn)}`
    case 'publish-given-up':
      return `${head}GAVE UP row ${event.row} after ${event.attempts} failed publishes (${event.error}): it stays unpublished`
    case 'broker-unreachable':
      return `${head}cannot reach the broker (${event.error}): retrying with back-off; a row is given up after ${MAX_PUBLISH_RETRIES} failed publishes`
    case 'broker-reachable':
      return `${head}reached the broker again: publishing`
    case 'relay-crashed':
      return `${head}CRASHED ${RELAY_CRASH[event.point ?? 'after-publish'](event.row)}; restarts in ${formatSeconds(event.restartIn)}`
    case 'els-crashed':
      return `${head}CRASHED ${ELS_CRASH[event.point ?? 'after-handling'](`p${event.partition}@${event.offset}`)}; restarts in ${formatSeconds(event.restartIn)}`
    case 'crashed': {
      const what = event.svc === 'bos' ? `the registration of ${event.batch}` : `upload ${event.file}`
      const lost = event.interrupted ? ` (${event.interrupted.length} other upload${event.interrupted.length === 1 ? '' : 's'} lost mid-processing)` : ''
      const when = event.point === 'before-commit' ? `before committing ${what}` : `after committing ${what}, before answering`
      return `${head}CRASHED ${when}${lost}; the client retries in ${formatSeconds(event.restartIn)}`
    }
    case 'els-restarted':
      return `${head}RESTARTED: process memory lost, left the group; rejoins in ${formatSeconds(event.restartIn)}`
    case 'els-rejoined':
      return `${head}rejoined the consumer group, owns ${event.partitions} partitions`
    case 'handle-failed':
      return `${head}${shortType(event.type)} (p${event.partition}@${event.offset}) FAILED and rolled back: ${event.error}; retry in ${formatSeconds(event.retryIn)}`
    case 'commit-rejected':
      return `${head}offset commit for p${event.partition}@${event.offset} rejected: the group rebalanced`
  }
}
