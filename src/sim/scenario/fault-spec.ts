import type {Micros} from '../kernel/time.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {quote} from '../printable.js'
import {formatDuration} from './duration.js'
import type {SpecParse} from './delay-spec.js'
import {parseDelayValue} from './delay-spec.js'
import {CRASH_TARGETS, type CrashTarget} from './crash-target.js'

/**
 * Faults, each fired deterministically from the seed (through the chooser):
 *
 *   relay-crash-after-publish[=bos,file,els][@P%]   the broker acked, published_at was not written
 *   consumer-crash-before-commit[@P%]               ELS handled a message, its offset was not committed
 *   els-restart[@P%]                                an ELS instance loses its process memory, rejoins
 *   register-db-error[@P%]                          the registration transaction fails midway
 *   broker-unavailable=FROM..TO                     no broker answers in that window of virtual time
 *   crash[=SERVICE,...][@P%]                        a process stops between two of its steps, restarts from its database
 *   publish-error[=bos,file,els][@P%]               the broker answers a produce with an error: retries, then gives up
 *
 * P is the chance per opportunity (per publish, per handled message, per registration); 10% if
 * omitted.
 */
export type Fault =
  | {kind: 'relay-crash-after-publish'; relays: readonly ServiceName[]; percent: number}
  | {kind: 'consumer-crash-before-commit'; percent: number}
  | {kind: 'els-restart'; percent: number}
  | {kind: 'register-db-error'; percent: number}
  | {kind: 'broker-unavailable'; from: Micros; to: Micros}
  | {kind: 'crash'; targets: readonly CrashTarget[]; percent: number}
  | {kind: 'publish-error'; relays: readonly ServiceName[]; percent: number}

export type FaultKind = Fault['kind']

export const FAULTS: Record<FaultKind, string> = {
  'relay-crash-after-publish': 'a relay crashes after the broker acked, before published_at: the row is re-sent with a new event_id',
  'consumer-crash-before-commit': 'ELS crashes after its transaction, before the offset commit: the message is redelivered',
  'els-restart': 'an ELS instance restarts: process memory lost, partitions rebalanced',
  'register-db-error': 'a database error midway through handling a registration: rolled back whole, retried',
  'broker-unavailable': 'the brokers are unreachable for a window of virtual time: relays retry',
  crash:
    'a process stops between two of its steps and restarts from its database alone (=SERVICE,...: els, bos, file, bos-relay, file-relay, els-relay; all by default)',
  'publish-error':
    'the broker answers a produce with an error (=bos,file,els; all by default): retry_count and last_error grow, after 5 the row is given up and reported',
}

const DEFAULT_PERCENT = 10

/**
 * Faults that undo the work they interrupt, so at 100% no run can ever finish: every publish is
 * re-sent, every message redelivered, every registration rolled back, for ever (until memory runs
 * out). Refused: a user asking for "always" wants to see the fault, and any chance below 100% shows
 * it and still ends.
 */
const NEVER_AT_100: ReadonlyMap<FaultKind, string> = new Map<FaultKind, string>([
  ['relay-crash-after-publish', 'every publish would be re-sent for ever'],
  ['consumer-crash-before-commit', 'every message would be redelivered for ever'],
  ['register-db-error', 'every registration would be rolled back and retried for ever'],
  ['crash', 'every step would be interrupted and redone for ever'],
])

export function parseFaultSpec(text: string): SpecParse<Fault> {
  const match = /^\s*([a-z-]+)\s*(?:=\s*([^@]*?))?\s*(?:@\s*(\S+))?\s*$/.exec(text)
  if (!match) return {ok: false, error: `${quote(text)} should be NAME[=ARG][@P%], e.g. relay-crash-after-publish=bos@20%`}
  const [, name, arg, chance] = match
  if (!Object.hasOwn(FAULTS, name)) return {ok: false, error: `unknown fault ${quote(name)} (known: ${Object.keys(FAULTS).join(', ')})`}
  const kind = name as FaultKind
  let percent = DEFAULT_PERCENT
  if (chance !== undefined) {
    const parsed = /^(\d+(?:\.\d+)?)%$/.exec(chance)
    if (!parsed || Number(parsed[1]) > 100) return {ok: false, error: `${kind}: ${quote(`@${chance}`)} should be a percentage from 0% to 100%`}
    percent = Number(parsed[1])
  }
  const never = NEVER_AT_100.get(kind)
  if (never !== undefined && percent >= 100) return {ok: false, error: `${kind}: @${chance} means ${never} and the run never ends; use less than 100%, e.g. ${kind}@90%`}
  switch (kind) {
    case 'relay-crash-after-publish': {
      const relays = arg === undefined || arg === '' || arg === 'all' ? ['bos', 'file', 'els'] : arg.split(',').map((r) => r.trim())
      const unknown = relays.find((r) => r !== 'bos' && r !== 'file' && r !== 'els')
      if (unknown !== undefined) return {ok: false, error: `${kind}: unknown relay ${quote(unknown)} (known: bos, file, els, all)`}
      return {ok: true, value: {kind, relays: relays as ServiceName[], percent}}
    }
    case 'publish-error': {
      const relays = arg === undefined || arg === '' || arg === 'all' ? ['bos', 'file', 'els'] : arg.split(',').map((r) => r.trim())
      const unknown = relays.find((r) => r !== 'bos' && r !== 'file' && r !== 'els')
      if (unknown !== undefined) return {ok: false, error: `${kind}: unknown relay ${quote(unknown)} (known: bos, file, els, all)`}
      return {ok: true, value: {kind, relays: relays as ServiceName[], percent}}
    }
    case 'crash': {
      const names = arg === undefined || arg === '' ? ['all'] : arg.split(',').map((t) => t.trim())
      const targets = names.includes('all') ? [...CRASH_TARGETS] : names
      const unknown = targets.find((t) => !(CRASH_TARGETS as readonly string[]).includes(t))
      if (unknown !== undefined) return {ok: false, error: `${kind}: unknown service ${quote(unknown)} (known: ${CRASH_TARGETS.join(', ')}, all)`}
      // One order whatever the flag said, so equal faults format (and reproduce) alike.
      return {ok: true, value: {kind, targets: CRASH_TARGETS.filter((t) => targets.includes(t)), percent}}
    }
    case 'broker-unavailable': {
      if (chance !== undefined) return {ok: false, error: `${kind} takes a window (=FROM..TO), not a chance`}
      if (arg === undefined || arg === '') return {ok: false, error: `${kind} needs a window, e.g. broker-unavailable=1s..3s`}
      const window = parseDelayValue(arg)
      if (!window.ok) return {ok: false, error: `${kind}: ${window.error}`}
      if (window.value.kind !== 'range') return {ok: false, error: `${kind}: ${quote(arg)} should be a window FROM..TO`}
      return {ok: true, value: {kind, from: window.value.min, to: window.value.max}}
    }
    default:
      if (arg !== undefined && arg !== '') return {ok: false, error: `${kind} takes no argument, only a chance (@P%)`}
      return {ok: true, value: {kind, percent}}
  }
}

export function formatFault(fault: Fault): string {
  switch (fault.kind) {
    case 'relay-crash-after-publish':
    case 'publish-error':
      return `${fault.kind}=${fault.relays.join(',')}@${fault.percent}%`
    case 'crash':
      return `${fault.kind}=${fault.targets.length === CRASH_TARGETS.length ? 'all' : fault.targets.join(',')}@${fault.percent}%`
    case 'broker-unavailable':
      return `${fault.kind}=${formatDuration(fault.from)}..${formatDuration(fault.to)}`
    default:
      return `${fault.kind}@${fault.percent}%`
  }
}
