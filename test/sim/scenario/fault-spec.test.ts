import {describe, expect, it} from 'vitest'

import {FAULTS, formatFault, parseFaultSpec, type Fault} from '../../../src/sim/scenario/fault-spec.js'

describe('parseFaultSpec', () => {
  it.each<[string, Fault]>([
    ['relay-crash-after-publish', {kind: 'relay-crash-after-publish', relays: ['bos', 'file', 'els'], percent: 10}],
    ['relay-crash-after-publish=all@20%', {kind: 'relay-crash-after-publish', relays: ['bos', 'file', 'els'], percent: 20}],
    ['relay-crash-after-publish=bos,file@5%', {kind: 'relay-crash-after-publish', relays: ['bos', 'file'], percent: 5}],
    ['relay-crash-after-publish=file', {kind: 'relay-crash-after-publish', relays: ['file'], percent: 10}],
    ['consumer-crash-before-commit@30%', {kind: 'consumer-crash-before-commit', percent: 30}],
    ['els-restart', {kind: 'els-restart', percent: 10}],
    ['register-db-error@99.9%', {kind: 'register-db-error', percent: 99.9}],
    ['els-restart@100%', {kind: 'els-restart', percent: 100}],
    ['register-db-error@0%', {kind: 'register-db-error', percent: 0}],
    ['broker-unavailable=1s..3s', {kind: 'broker-unavailable', from: 1_000_000, to: 3_000_000}],
    ['crash', {kind: 'crash', targets: ['els', 'bos', 'file', 'bos-relay', 'file-relay', 'els-relay'], percent: 10}],
    ['crash=all@5%', {kind: 'crash', targets: ['els', 'bos', 'file', 'bos-relay', 'file-relay', 'els-relay'], percent: 5}],
    ['crash=file-relay,els@20%', {kind: 'crash', targets: ['els', 'file-relay'], percent: 20}],
    ['crash=bos@99%', {kind: 'crash', targets: ['bos'], percent: 99}],
    ['publish-error', {kind: 'publish-error', relays: ['bos', 'file', 'els'], percent: 10}],
    ['publish-error=els@100%', {kind: 'publish-error', relays: ['els'], percent: 100}],
  ])('%s', (text, fault) => {
    // Given / When / Then
    expect(parseFaultSpec(text)).toEqual({ok: true, value: fault})
  })

  it('formatFault writes what parseFaultSpec reads, for every fault', () => {
    // Given
    const faults = [
      'relay-crash-after-publish=bos@20%',
      'consumer-crash-before-commit@5%',
      'els-restart@10%',
      'register-db-error@50%',
      'broker-unavailable=1s..2.5s',
      'crash=els,bos-relay@10%',
      'publish-error=file@30%',
    ]
    expect(formatFault({kind: 'crash', targets: ['els', 'bos', 'file', 'bos-relay', 'file-relay', 'els-relay'], percent: 10})).toBe('crash=all@10%')
    expect(faults.map((f) => f.split(/[=@]/)[0]).sort()).toEqual(Object.keys(FAULTS).sort())

    // When / Then
    for (const text of faults) {
      const parsed = parseFaultSpec(text)
      expect(parsed.ok).toBe(true)
      if (!parsed.ok) continue
      expect(formatFault(parsed.value)).toBe(text)
      expect(parseFaultSpec(formatFault(parsed.value))).toEqual(parsed)
    }
  })
})

describe('parseFaultSpec: every grammar error is one line naming the problem', () => {
  it.each([
    ['unknown fault', 'nope', /^unknown fault "nope" \(known: relay-crash-after-publish, /],
    ['unknown relay', 'relay-crash-after-publish=kafka', /^relay-crash-after-publish: unknown relay "kafka" \(known: bos, file, els, all\)/],
    ['one unknown relay in a list', 'relay-crash-after-publish=bos,nope@5%', /unknown relay "nope"/],
    ['missing window', 'broker-unavailable', /^broker-unavailable needs a window, e\.g\. broker-unavailable=1s\.\.3s/],
    ['empty window', 'broker-unavailable=', /^broker-unavailable needs a window/],
    ['a point, not a window', 'broker-unavailable=1s', /^broker-unavailable: "1s" should be a window FROM\.\.TO/],
    ['inverted window', 'broker-unavailable=3s..1s', /^broker-unavailable: "3s\.\.1s" is an inverted range/],
    ['bad unit in a window', 'broker-unavailable=1x..2s', /^broker-unavailable: "1x" has an unknown unit "x"/],
    ['a chance for a window fault', 'broker-unavailable=1s..3s@5%', /^broker-unavailable takes a window \(=FROM\.\.TO\), not a chance/],
    ['percentage over 100', 'els-restart@150%', /^els-restart: "@150%" should be a percentage from 0% to 100%/],
    ['percentage without %', 'els-restart@5', /^els-restart: "@5" should be a percentage/],
    ['percentage not a number', 'els-restart@abc', /^els-restart: "@abc" should be a percentage/],
    ['an argument where none is taken', 'els-restart=x', /^els-restart takes no argument, only a chance \(@P%\)/],
    ['not the syntax at all', 'BAD SPEC!', /should be NAME\[=ARG\]\[@P%\]/],
    ['a relay crash every time never ends', 'relay-crash-after-publish@100%', /^relay-crash-after-publish: @100% means every publish would be re-sent for ever/],
    ['a consumer crash every time never ends', 'consumer-crash-before-commit@100%', /^consumer-crash-before-commit: @100% means every message/],
    ['a registration error every time never ends', 'register-db-error@100.0%', /^register-db-error: @100\.0% means every registration/],
    ['a crash every time never ends', 'crash=els@100%', /^crash: @100% means every step would be interrupted/],
    ['an unknown crash target', 'crash=kafka', /^crash: unknown service "kafka" \(known: els, bos, file, bos-relay, file-relay, els-relay, all\)/],
    ['an unknown publish-error relay', 'publish-error=els-relay', /^publish-error: unknown relay "els-relay" \(known: bos, file, els, all\)/],
    ['a name on Object.prototype', 'constructor', /^unknown fault "constructor"/],
    ['another one', 'hasownproperty@5%', /^unknown fault "hasownproperty"/],
    ['a window past 30 days', 'broker-unavailable=0..1000h', /^broker-unavailable: "1000h" is too long: a duration is at most 30 days/],
  ])('%s: %s', (_what, text, message) => {
    // Given / When
    const parsed = parseFaultSpec(text)

    // Then
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error).toMatch(message)
    expect(parsed.error.split('\n')).toHaveLength(1)
  })
})
