import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {batchId, essayId, fileUploadId, IdSource, rawStorageId, textStorageId} from '../../../src/sim/domain/ids.js'

const uuid = z.string().uuid()
const take = (ids: IdSource, n: number): string[] => Array.from({length: n}, () => ids.eventId())

describe('IdSource', () => {
  it('yields valid, distinct uuids', () => {
    // Given
    const ids = new IdSource(12345)

    // When
    const many = take(ids, 1000)

    // Then
    expect(new Set(many).size).toBe(1000)
    for (const id of many) {
      expect(uuid.safeParse(id).success).toBe(true)
      expect(id).toHaveLength(36)
    }
  })

  it.each([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0xdeadbeef])('yields valid uuids for seed %i', (seed) => {
    // Given / When
    const id = new IdSource(seed).eventId()

    // Then
    expect(uuid.safeParse(id).success).toBe(true)
  })

  it('is deterministic per seed', () => {
    // Given / When
    const a = take(new IdSource(42), 50)
    const b = take(new IdSource(42), 50)

    // Then
    expect(a).toEqual(b)
  })

  it('gives different ids for different seeds', () => {
    // Given / When
    const a = take(new IdSource(1), 50)
    const b = take(new IdSource(2), 50)

    // Then no id is shared
    expect(a.filter((id) => b.includes(id))).toEqual([])
  })
})

describe('business ids', () => {
  it('are short and readable', () => {
    // Given / When / Then
    expect(batchId(0)).toBe('b1')
    expect(essayId('b1', 1)).toBe('b1-e2')
    expect(fileUploadId('b2', 2)).toBe('b2-f3')
    expect(textStorageId('b2-f3')).toBe('text-b2-f3')
    expect(rawStorageId('b2-f3')).toBe('raw-b2-f3')
  })
})
