import {describe, expect, it} from 'vitest'

import {SlotOwners} from '../../../src/sim/check/slot-owners.js'

describe('SlotOwners', () => {
  it('names the batch that registered each essay, and none for an essay nobody registered', () => {
    // Given two batches' registrations
    const owners = new SlotOwners([
      ['b2', ['b2-e1', 'b2-e2', 'b2-e10']],
      ['b1', ['b1-e1']],
    ])
    // When / Then
    expect(['b2-e1', 'b2-e2', 'b2-e10', 'b1-e1'].map((essay) => owners.get(essay))).toEqual(['b2', 'b2', 'b2', 'b1'])
    expect(owners.get('b2-e3')).toBeUndefined()
    expect(owners.get('')).toBeUndefined()
    expect(owners.get('zzz')).toBeUndefined()
  })

  it('gives an essay registered twice to the last batch given, as a map overwritten in order would', () => {
    // Given one essay id registered by three batches, and a batch registering it twice
    const owners = new SlotOwners([
      ['b1', ['shared', 'b1-e1']],
      ['b3', ['shared']],
      ['b2', ['shared', 'shared']],
      ['b4', ['b4-e1']],
    ])
    // When / Then
    expect(owners.get('shared')).toBe('b2')
    expect(owners.get('b1-e1')).toBe('b1')
    expect(owners.get('b4-e1')).toBe('b4')
  })

  it('agrees with a map over many registrations', () => {
    // Given 300 batches whose essays overlap their neighbours'
    const registrations = Array.from({length: 300}, (_, b) => [`b${b}`, Array.from({length: 7}, (_, e) => `e${(b * 5 + e) % 997}`)] as const)
    const map = new Map<string, string>()
    for (const [batch, essays] of registrations) for (const essay of essays) map.set(essay, batch)
    // When
    const owners = new SlotOwners(registrations)
    // Then
    for (let e = 0; e < 1000; e++) expect(owners.get(`e${e}`)).toBe(map.get(`e${e}`))
  })
})
