/**
 * Kafka's murmur2 key hash and the keyed-partition rule, bit for bit what kafkajs 2.2.4's
 * DefaultPartitioner (the "Java compatible" one) computes, and so what the Java client computes.
 *
 * kafkajs runs the hash on 64-bit BigInt Longs and keeps the low 32 bits at the end. Every step
 * of murmur2 is a multiply, an xor or a shift whose low 32 bits depend only on the low 32 bits of
 * its inputs, so plain 32-bit arithmetic (Math.imul, `^`, `>>>`) gives the same result.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** The signed 32-bit murmur2 hash of a key (a string is hashed as its UTF-8 bytes). */
export function murmur2(key: string | Buffer): number {
  const data = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  const length = data.length
  let h = SEED ^ length

  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }

  // The last 1 to 3 bytes (a fall-through switch in the reference implementation).
  const rest = length & 3
  if (rest === 3) h ^= data[whole + 2] << 16
  if (rest >= 2) h ^= data[whole + 1] << 8
  if (rest >= 1) {
    h ^= data[whole]
    h = Math.imul(h, M)
  }

  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** The partition Kafka (and kafkajs) puts a keyed message in: `(murmur2(key) & 0x7fffffff) % n`. */
export function partitionFor(key: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`)
  }
  return (murmur2(key) & 0x7fffffff) % partitionCount
}
