import {Partitioners} from 'kafkajs'
import type {PartitionMetadata} from 'kafkajs'
import {describe, expect, it} from 'vitest'

import {murmur2, partitionFor} from '../../../src/sim/bus/murmur2.js'

/** A uuid-shaped key built from a counter: deterministic, no randomness in tests. */
function uuidFromCounter(i: number): string {
  const hex = (i * 2654435761 >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(24, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

function keys(): string[] {
  const out: string[] = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'b1', '21']
  for (let i = 0; i < 60; i++) out.push(`batch-${i}`)
  for (let i = 0; i < 60; i++) out.push(uuidFromCounter(i))
  for (let i = 0; i < 40; i++) out.push(`file-upload-${i}-${'x'.repeat(i % 5)}`)
  const unicode = ['é', 'ø', 'Ångström', '日本語', '😀', 'ключ', 'naïve-café', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢']
  for (let i = 0; i < 40; i++) out.push(`${unicode[i % unicode.length]}-${i}`)
  return out
}

function metadata(n: number): PartitionMetadata[] {
  return Array.from({length: n}, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: partitionId,
    replicas: [partitionId],
    isr: [partitionId],
  }))
}

describe('murmur2', () => {
  it('matches the known vector of Kafka\'s Java client', () => {
    // Given the key "21", whose hash Kafka's own UtilsTest pins
    // When it is hashed
    // Then the signed 32-bit hash is Java's
    expect(murmur2('21')).toBe(-973932308)
  })

  it('hashes a string as its UTF-8 bytes', () => {
    // Given a unicode key as a string and as a Buffer
    const key = 'Ångström-😀'
    // When both are hashed
    // Then they hash alike
    expect(murmur2(key)).toBe(murmur2(Buffer.from(key, 'utf8')))
  })

  it('rejects a partition count that is not a positive integer', () => {
    // Given / When / Then
    expect(() => partitionFor('b1', 0)).toThrow(RangeError)
    expect(() => partitionFor('b1', 2.5)).toThrow(RangeError)
  })

  for (const n of [1, 3, 4, 7]) {
    it(`picks the partition kafkajs's DefaultPartitioner picks, ${n} partitions`, () => {
      // Given kafkajs's own partitioner and at least 200 keys
      const partitioner = Partitioners.DefaultPartitioner()
      const topic = 'huleedu.batch.essays.registered.v1'
      const partitionMetadata = metadata(n)
      const all = keys()
      expect(all.length).toBeGreaterThanOrEqual(200)

      // When both assign every key
      const ours = all.map((key) => partitionFor(key, n))
      const theirs = all.map((key) => partitioner({topic, partitionMetadata, message: {key, value: null}}))

      // Then they agree on every key, and (with more than one partition) use several partitions
      expect(ours).toEqual(theirs)
      expect(new Set(ours).size).toBe(n)
    })
  }
})
