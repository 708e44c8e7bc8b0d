import {describe, expect, it} from 'vitest'

import {fixed, oneOf, range} from '../../../src/sim/scenario/delay.js'
import {DELAY_TARGETS, formatDelay, parseDelaySpec, parseDelayValue, parseWakeSpec} from '../../../src/sim/scenario/delay-spec.js'

describe('parseDelaySpec: the value forms', () => {
  it.each([
    ['bos-relay=2s', 'bos-relay', fixed(2_000_000)],
    ['file-relay=500ms±100ms', 'file-relay', range(400_000, 600_000)],
    ['file-relay=500ms+-100ms', 'file-relay', range(400_000, 600_000)],
    ['file-processing=300ms..2s', 'file-processing', range(300_000, 2_000_000)],
    ['kafka=0|500ms|1s|2s', 'kafka', oneOf(0, 500_000, 1_000_000, 2_000_000)],
    ['els=2ms', 'els', fixed(2_000)],
    ['kafka=1ms..1ms', 'kafka', fixed(1_000)],
    ['els=1ms±5ms', 'els', range(0, 6_000)],
    ['pending-timeout=5s', 'pending-timeout', fixed(5_000_000)],
    ['bos-poll=1s', 'bos-poll', fixed(1_000_000)],
  ])('%s', (text, target, delay) => {
    // Given / When
    const parsed = parseDelaySpec(text)

    // Then
    expect(parsed).toEqual({ok: true, value: {target, delay}})
  })

  it('knows every documented target', () => {
    // Given / When
    const parsed = Object.keys(DELAY_TARGETS).map((target) => parseDelaySpec(`${target}=1s`))

    // Then
    expect(parsed.every((p) => p.ok)).toBe(true)
  })

  it('formatDelay writes what parseDelayValue reads', () => {
    // Given
    const delays = [fixed(0), fixed(2_000_000), range(300_000, 2_000_000), oneOf(0, 500_000, 1_000_000)]

    // When / Then
    for (const delay of delays) expect(parseDelayValue(formatDelay(delay))).toEqual({ok: true, value: delay})
  })
})

describe('parseDelaySpec: every grammar error is one line naming the problem', () => {
  it.each([
    ['unknown target', 'nope=2s', /^unknown delay target "nope" \(known: bos-relay, /],
    ['a target on Object.prototype', '__proto__=1s', /^unknown delay target "__proto__"/],
    ['another one', 'constructor=1s', /^unknown delay target "constructor"/],
    ['and another', 'toString=1s', /^unknown delay target "toString"/],
    ['a value past 30 days', 'pending-timeout=721h', /^pending-timeout: "721h" is too long: a duration is at most 30 days/],
    ['a jitter reaching past 30 days', 'kafka=720h±1s', /^kafka: "720h±1s" is too long/],
    ['a long target is cut in the message', `${'x'.repeat(500)}=1s`, /^unknown delay target "x{80}…" \(known/],
    ['bad unit', 'bos-relay=2x', /^bos-relay: "2x" has an unknown unit "x"/],
    ['missing unit', 'bos-relay=2', /^bos-relay: "2" has no unit/],
    ['inverted range', 'bos-relay=3s..1s', /^bos-relay: "3s\.\.1s" is an inverted range \(3s > 1s\)/],
    ['negative', 'bos-relay=-2s', /^bos-relay: "-2s" is negative/],
    ['negative range end', 'kafka=-1s..2s', /^kafka: "-1s" is not a duration/],
    ['range for a fixed-only target', 'bos-poll=1s..2s', /^bos-poll takes one value, not a range/],
    ['choice for a fixed-only target', 'pending-timeout=1s|2s', /^pending-timeout takes one value/],
    ['zero poll interval', 'file-poll=0', /^file-poll: a poll interval must be more than 0/],
    ['no value', 'bos-relay=', /^bos-relay: "" is not a duration/],
    ['no =', 'bos-relay', /should be TARGET=VALUE, e\.g\. bos-relay=2s/],
    ['two ranges', 'kafka=1s..2s..3s', /^kafka: "1s\.\.2s\.\.3s" has more than one "\.\."/],
    ['bad choice', 'bos-relay=1s|x', /^bos-relay: "x" is not a duration/],
  ])('%s: %s', (_what, text, message) => {
    // Given / When
    const parsed = parseDelaySpec(text)

    // Then
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error).toMatch(message)
    expect(parsed.error.split('\n')).toHaveLength(1)
  })
})

describe('parseWakeSpec', () => {
  it.each([
    ['bos=off', {service: 'bos', wake: false}],
    ['file=on', {service: 'file', wake: true}],
    [' els = off ', {service: 'els', wake: false}],
  ])('%j', (text, value) => {
    // Given / When / Then
    expect(parseWakeSpec(text)).toEqual({ok: true, value})
  })

  it.each([
    ['kafka=on', /^unknown service "kafka" \(known: bos, file, els\)/],
    ['bos=maybe', /should be SERVICE=on\|off/],
    ['bos', /should be SERVICE=on\|off/],
    ['toString=on', /should be SERVICE=on\|off/],
    ['constructor=on', /^unknown service "constructor"/],
    ['__proto__=off', /should be SERVICE=on\|off/],
  ])('refuses %j in one line', (text, message) => {
    // Given / When
    const parsed = parseWakeSpec(text)

    // Then
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(message)
  })
})
