import type {Micros} from '../kernel/time.js'
import type {ServiceName} from '../sqlite/service-db.js'
import {type Delay, fixed, oneOf, range} from './delay.js'
import {quote} from '../printable.js'
import {checkDuration, formatDuration, parseDuration} from './duration.js'

/**
 * The `--delay TARGET=VALUE` grammar (also used by fixtures):
 *
 *   VALUE  := DURATION                 fixed:     2s
 *           | DURATION±DURATION        jitter:    500ms±100ms   (also written 500ms+-100ms)
 *           | DURATION..DURATION       range:     300ms..2s
 *           | DURATION|DURATION|...    one of:    0|500ms|1s|2s
 *
 * Ranges and choices are drawn from the seed (per occurrence). Targets are listed in DELAY_TARGETS.
 */
export const DELAY_TARGETS = {
  'bos-relay': 'extra wait of BOS’s relay before it publishes what it found',
  'file-relay': 'extra wait of the File Service’s relay before it publishes',
  'els-relay': 'extra wait of ELS’s relay before it publishes',
  'bos-poll': 'idle poll interval of BOS’s relay after warm-up (one value)',
  'file-poll': 'idle poll interval of the File Service’s relay (one value)',
  'els-poll': 'idle poll interval of ELS’s relay (one value)',
  kafka: 'broker latency: append to ack, and append to visible to consumers',
  els: 'ELS handling time per message',
  'file-processing': 'File Service processing time per file',
  'upload-gap': 'client time between a registration and each upload',
  'batch-gap': 'client time between batch registrations',
  'pending-timeout': 'age at which ELS expires buffered content (one value)',
} as const

export type DelayTarget = keyof typeof DELAY_TARGETS

/** Targets that take one value: a poll interval or a timeout is configuration, not a draw. */
const FIXED_ONLY: ReadonlySet<DelayTarget> = new Set(['bos-poll', 'file-poll', 'els-poll', 'pending-timeout'])

export interface DelaySetting {
  target: DelayTarget
  delay: Delay
}

export type SpecParse<T> = {ok: true; value: T} | {ok: false; error: string}

export function parseDelayValue(text: string): SpecParse<Delay> {
  const value = text.trim()
  const jitter = /^(.+?)(?:±|\+-)(.+)$/.exec(value)
  if (jitter) {
    const center = parseDuration(jitter[1])
    const spread = parseDuration(jitter[2])
    if (!center.ok) return center
    if (!spread.ok) return spread
    const high = checkDuration(text, center.value + spread.value)
    if (!high.ok) return high
    return {ok: true, value: range(Math.max(0, center.value - spread.value), high.value)}
  }
  if (value.includes('..')) {
    const [low, high, ...rest] = value.split('..')
    if (rest.length > 0) return {ok: false, error: `${quote(text)} has more than one ".."`}
    const min = parseDuration(low)
    const max = parseDuration(high)
    if (!min.ok) return min
    if (!max.ok) return max
    if (min.value > max.value) return {ok: false, error: `${quote(text)} is an inverted range (${low.trim().slice(0, 20)} > ${high.trim().slice(0, 20)})`}
    return {ok: true, value: min.value === max.value ? fixed(min.value) : range(min.value, max.value)}
  }
  if (value.includes('|')) {
    const values: Micros[] = []
    for (const part of value.split('|')) {
      const parsed = parseDuration(part)
      if (!parsed.ok) return parsed
      values.push(parsed.value)
    }
    return {ok: true, value: oneOf(...values)}
  }
  if (value.startsWith('-')) return {ok: false, error: `${quote(text)} is negative: a delay is 0 or more`}
  const single = parseDuration(value)
  return single.ok ? {ok: true, value: fixed(single.value)} : single
}

export function parseDelaySpec(text: string): SpecParse<DelaySetting> {
  const eq = text.indexOf('=')
  if (eq < 0) return {ok: false, error: `${quote(text)} should be TARGET=VALUE, e.g. bos-relay=2s`}
  const target = text.slice(0, eq).trim()
  if (!Object.hasOwn(DELAY_TARGETS, target)) {
    return {ok: false, error: `unknown delay target ${quote(target)} (known: ${Object.keys(DELAY_TARGETS).join(', ')})`}
  }
  const delay = parseDelayValue(text.slice(eq + 1))
  if (!delay.ok) return {ok: false, error: `${target}: ${delay.error}`}
  if (FIXED_ONLY.has(target as DelayTarget) && delay.value.kind !== 'fixed') {
    return {ok: false, error: `${target} takes one value, not a range`}
  }
  if (target.endsWith('-poll') && delay.value.kind === 'fixed' && delay.value.value <= 0) {
    return {ok: false, error: `${target}: a poll interval must be more than 0`}
  }
  return {ok: true, value: {target: target as DelayTarget, delay: delay.value}}
}

export function formatDelay(delay: Delay): string {
  switch (delay.kind) {
    case 'fixed':
      return formatDuration(delay.value)
    case 'range':
      return `${formatDuration(delay.min)}..${formatDuration(delay.max)}`
    case 'one-of':
      return delay.values.map(formatDuration).join('|')
  }
}

/** `--wake SERVICE=on|off`: whether a writer's notification reaches its relay. */
export interface WakeSetting {
  service: ServiceName
  wake: boolean
}

export function parseWakeSpec(text: string): SpecParse<WakeSetting> {
  const match = /^\s*([a-z]+)\s*=\s*(on|off)\s*$/.exec(text)
  if (!match) return {ok: false, error: `${quote(text)} should be SERVICE=on|off, e.g. bos=off`}
  const [, service, state] = match
  if (service !== 'bos' && service !== 'file' && service !== 'els') {
    return {ok: false, error: `unknown service ${quote(service)} (known: bos, file, els)`}
  }
  return {ok: true, value: {service, wake: state === 'on'}}
}
