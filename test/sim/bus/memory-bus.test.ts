import {describe, expect, it} from 'vitest'

import type {BusRecord} from '../../../src/sim/bus/bus.js'
import {MemoryBus} from '../../../src/sim/bus/memory-bus.js'
import {partitionFor} from '../../../src/sim/bus/murmur2.js'

const REG = 'huleedu.batch.essays.registered.v1'
const CONTENT = 'huleedu.file.essay.content.provisioned.v1'
const GROUP = 'els'

const record = (topic: string, key: string, value = key): BusRecord => ({topic, key, value, headers: {}})

/** The first key `prefix-i` that lands in `partition` of an n-partition topic. */
function keyFor(partition: number, n = 3, prefix = 'batch'): string {
  for (let i = 0; ; i++) {
    const key = `${prefix}-${i}`
    if (partitionFor(key, n) === partition) return key
  }
}

describe('MemoryBus: the log', () => {
  it('numbers offsets from 0 per partition and partitions by the kafkajs hash', () => {
    // Given a bus with 3-partition topics
    const bus = new MemoryBus()

    // When 30 messages with 30 keys are appended
    const appended = Array.from({length: 30}, (_, i) => bus.append(record(REG, `batch-${i}`), i))

    // Then each lands where kafkajs would put it, and each partition counts 0, 1, 2, ...
    for (const m of appended) expect(m.partition).toBe(partitionFor(m.key, 3))
    for (let p = 0; p < 3; p++) {
      const offsets = appended.filter((m) => m.partition === p).map((m) => m.offset)
      expect(offsets).toEqual(offsets.map((_, i) => i))
      expect(bus.endOffset(REG, p)).toBe(offsets.length)
    }
    expect(new Set(appended.map((m) => m.partition)).size).toBe(3)
  })

  it('puts every message of one key in the same partition, in append order', () => {
    // Given a bus
    const bus = new MemoryBus()

    // When one key is appended five times, interleaved with other keys
    const same = []
    for (let i = 0; i < 5; i++) {
      same.push(bus.append(record(REG, 'b1', `v${i}`), i * 10))
      bus.append(record(REG, `other-${i}`), i * 10 + 1)
    }

    // Then all five share a partition and have increasing offsets in append order
    expect(new Set(same.map((m) => m.partition))).toEqual(new Set([partitionFor('b1', 3)]))
    expect(same.map((m) => m.offset)).toEqual([...same.map((m) => m.offset)].sort((a, b) => a - b))
    expect(new Set(same.map((m) => m.offset)).size).toBe(5)
  })

  it('never lets a smaller latency overtake an earlier message of the same partition', () => {
    // Given a message with a long delivery latency
    const bus = new MemoryBus()
    const k = keyFor(0)
    const slow = bus.append(record(REG, k, 'first'), 0, 2_000_000)

    // When a later message of the same partition, and one of another partition, have no latency
    const fast = bus.append(record(REG, k, 'second'), 500_000, 0)
    const elsewhere = bus.append(record(REG, keyFor(1), 'other'), 500_000, 0)

    // Then the later one becomes visible with the first, not before; the other partition is unaffected
    expect(slow.visibleAt).toBe(2_000_000)
    expect(fast.appendedAt).toBe(500_000)
    expect(fast.visibleAt).toBe(2_000_000)
    expect(elsewhere.visibleAt).toBe(500_000)
  })

  it('keeps per-topic and global append order in messages()', () => {
    // Given messages on two topics
    const bus = new MemoryBus()
    bus.append(record(REG, 'a'), 0)
    bus.append(record(CONTENT, 'b'), 1)
    bus.append(record(REG, 'c'), 2)

    // When the log is read
    const all = bus.messages()
    const reg = bus.messages(REG)

    // Then the order is append order and an unknown topic is empty
    expect(all.map((m) => m.key)).toEqual(['a', 'b', 'c'])
    expect(reg.map((m) => m.key)).toEqual(['a', 'c'])
    expect(bus.messages('nope')).toEqual([])
  })

  it('returns a snapshot of the log and freezes messages', () => {
    // Given a log read before another append
    const bus = new MemoryBus()
    const headers = {h: '1'}
    bus.append({topic: REG, key: 'a', value: 'v', headers}, 0)
    const before = bus.messages()

    // When the bus grows and the producer mutates its headers
    bus.append(record(REG, 'b'), 1)
    headers.h = '2'

    // Then the snapshot does not change and the stored headers are the ones appended
    expect(before).toHaveLength(1)
    expect(bus.messages()[0].headers).toEqual({h: '1'})
    expect(Object.isFrozen(bus.messages()[0])).toBe(true)
  })

  it('keeps every header as a header, one named __proto__ too, frozen', () => {
    // Given a record whose headers (read from a fixture, say) include the key __proto__
    const bus = new MemoryBus()
    const headers = JSON.parse('{"__proto__": "p", "event_id": "e1"}') as Record<string, string>

    // When it is appended
    const stored = bus.append({topic: REG, key: 'a', value: 'v', headers}, 0).headers

    // Then both are own headers of the stored copy, which nobody can change
    expect(Object.keys(stored)).toEqual(['__proto__', 'event_id'])
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toBe('p')
    expect(Object.isFrozen(stored)).toBe(true)
  })

  it('hands its whole log over at the end of a run, in append order, and holds nothing after', () => {
    // Given a bus with messages on two topics, some consumed and committed
    const bus = new MemoryBus()
    bus.join(GROUP, 'els-1', [REG])
    const appended = [bus.append(record(REG, 'b1'), 0), bus.append(record(CONTENT, 'b1'), 1), bus.append(record(REG, 'b2'), 2)]
    const first = bus.take(GROUP, 'els-1', REG, appended[0].partition)
    bus.commit(GROUP, REG, first.partition, first.offset + 1)

    // When the log is handed over
    const log = bus.handOver()

    // Then it carries every message as appended, and the broker keeps none and takes no more
    expect([...log]).toEqual(appended)
    expect(bus.messages()).toEqual([])
    expect(bus.messages(REG)).toEqual([])
    expect(bus.deliverable(GROUP, 'els-1', 10)).toEqual([])
    expect(() => bus.append(record(REG, 'b3'), 3)).toThrow('the bus handed its log over: the run is over')
  })

  it('honours per-topic partition counts', () => {
    // Given a topic configured with 7 partitions and a default of 2
    const bus = new MemoryBus({defaultPartitions: 2, partitionsByTopic: {[CONTENT]: 7}})

    // When keys are appended to both
    const wide = Array.from({length: 50}, (_, i) => bus.append(record(CONTENT, `f-${i}`), 0))
    const narrow = Array.from({length: 50}, (_, i) => bus.append(record(REG, `f-${i}`), 0))

    // Then partitions follow each topic's count
    expect(bus.partitionCount(CONTENT)).toBe(7)
    expect(bus.partitionCount(REG)).toBe(2)
    for (const m of wide) expect(m.partition).toBe(partitionFor(m.key, 7))
    for (const m of narrow) expect(m.partition).toBe(partitionFor(m.key, 2))
  })

  it('rejects invalid times and configurations', () => {
    // Given / When / Then
    const bus = new MemoryBus()
    expect(() => bus.append(record(REG, 'a'), -1)).toThrow(RangeError)
    expect(() => bus.append(record(REG, 'a'), 0, 1.5)).toThrow(RangeError)
    expect(() => new MemoryBus({defaultPartitions: 0})).toThrow(RangeError)
    expect(() => new MemoryBus({partitionsByTopic: {[REG]: -3}})).toThrow(RangeError)
  })

  it('acks produce() with the partition and offset, appended at bus.now', async () => {
    // Given a bus whose clock the kernel moved to 1.5 s
    const bus = new MemoryBus()
    bus.now = 1_500_000
    const k = keyFor(2)

    // When two records with the same key are produced
    const first = await bus.produce(record(REG, k))
    const second = await bus.produce(record(REG, k))

    // Then the acks name the partition and consecutive offsets, and the log holds them at bus.now
    expect(first).toEqual({topic: REG, partition: 2, offset: 0})
    expect(second).toEqual({topic: REG, partition: 2, offset: 1})
    expect(bus.messages().map((m) => [m.appendedAt, m.visibleAt])).toEqual([
      [1_500_000, 1_500_000],
      [1_500_000, 1_500_000],
    ])
  })
})

describe('MemoryBus: consumer groups', () => {
  const allPartitions = (topics: string[]) =>
    topics.flatMap((topic) => [0, 1, 2].map((partition) => ({topic, partition})))

  it('assigns round-robin, deterministically, every partition exactly once with 1, 2 and 3 instances', () => {
    for (const count of [1, 2, 3]) {
      // Given two buses whose instances join in opposite orders
      const ids = ['els-a', 'els-b', 'els-c'].slice(0, count)
      const forward = new MemoryBus()
      const backward = new MemoryBus()
      for (const id of ids) forward.join(GROUP, id, [REG, CONTENT])
      for (const id of [...ids].reverse()) backward.join(GROUP, id, [CONTENT, REG])

      // When the assignments are read
      const assigned = ids.map((id) => forward.assignment(GROUP, id))

      // Then they are the same on both, cover all 6 partitions once, and deal them in turn
      expect(ids.map((id) => backward.assignment(GROUP, id))).toEqual(assigned)
      const flat = assigned.flat()
      expect(flat).toHaveLength(6)
      expect([...flat].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)).toEqual(
        allPartitions([REG, CONTENT].sort()),
      )
      const sorted = allPartitions([REG, CONTENT].sort())
      ids.forEach((_, i) => expect(assigned[i]).toEqual(sorted.filter((_, j) => j % count === i)))
    }
  })

  it('gives each partition only to members subscribed to its topic', () => {
    // Given one member on both topics and one on the registration topic only
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [CONTENT, REG])
    bus.join(GROUP, 'b', [REG])

    // When the assignments are read
    const a = bus.assignment(GROUP, 'a')
    const b = bus.assignment(GROUP, 'b')

    // Then all content partitions go to a, and b owns only registration partitions
    expect(a.filter((tp) => tp.topic === CONTENT).map((tp) => tp.partition)).toEqual([0, 1, 2])
    expect(b.every((tp) => tp.topic === REG)).toBe(true)
    expect(b.length).toBeGreaterThan(0)
    expect(a.length + b.length).toBe(6)
  })

  it('delivers the head of each owned partition only once it is visible', () => {
    // Given one member and two messages in different partitions with latencies
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    const late = bus.append(record(REG, keyFor(0)), 0, 300)
    const early = bus.append(record(REG, keyFor(1)), 0, 100)

    // When deliverable is asked at several instants
    // Then nothing before 100, the early one at 100, both by 300 in partition order
    expect(bus.deliverable(GROUP, 'a', 99)).toEqual([])
    expect(bus.nextVisibleAt(GROUP, 'a')).toBe(100)
    expect(bus.deliverable(GROUP, 'a', 100)).toEqual([early])
    expect(bus.deliverable(GROUP, 'a', 300)).toEqual([late, early])
  })

  it('delivers one message per partition at a time, and take advances the fetch position', () => {
    // Given two visible messages in one partition
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    const k = keyFor(0)
    const m0 = bus.append(record(REG, k, 'm0'), 0)
    const m1 = bus.append(record(REG, k, 'm1'), 0, 50)

    // When the head is taken
    expect(bus.deliverable(GROUP, 'a', 10)).toEqual([m0])
    const taken = bus.take(GROUP, 'a', REG, 0)

    // Then the next head is offered (once visible) and nothing is left after it
    expect(taken).toBe(m0)
    expect(bus.deliverable(GROUP, 'a', 10)).toEqual([])
    expect(bus.nextVisibleAt(GROUP, 'a')).toBe(50)
    expect(bus.take(GROUP, 'a', REG, 0)).toBe(m1)
    expect(bus.nextVisibleAt(GROUP, 'a')).toBeUndefined()
    expect(() => bus.take(GROUP, 'a', REG, 0)).toThrow(/no message/)
  })

  it('refuses take of a partition the instance does not own', () => {
    // Given two members sharing a topic and a message in a's partition
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    bus.join(GROUP, 'b', [REG])
    const owner = bus.assignment(GROUP, 'a')[0]
    bus.append(record(REG, keyFor(owner.partition)), 0)

    // When / Then b, or a non-member, cannot take it
    expect(() => bus.take(GROUP, 'b', REG, owner.partition)).toThrow(/does not own/)
    expect(() => bus.take(GROUP, 'ghost', REG, owner.partition)).toThrow(/does not own/)
    expect(bus.take(GROUP, 'a', REG, owner.partition).partition).toBe(owner.partition)
  })

  it('redelivers uncommitted messages to the surviving instance after a crash', () => {
    // Given a owns partition 0 and has taken three messages, committing only the first
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    bus.join(GROUP, 'b', [REG])
    const p = bus.assignment(GROUP, 'a')[0].partition
    const k = keyFor(p)
    const ms = [0, 1, 2].map((i) => bus.append(record(REG, k, `m${i}`), 0))
    for (const m of ms) expect(bus.take(GROUP, 'a', REG, p)).toBe(m)
    bus.commit(GROUP, REG, p, ms[0].offset + 1)

    // When a crashes
    bus.leave(GROUP, 'a')

    // Then b owns the partition and gets the uncommitted messages again, from offset 1
    expect(bus.assignment(GROUP, 'b')).toEqual([0, 1, 2].map((partition) => ({topic: REG, partition})))
    expect(bus.lag(GROUP)).toBe(2)
    expect(bus.deliverable(GROUP, 'b', 0)).toEqual([ms[1]])
    expect(bus.take(GROUP, 'b', REG, p)).toBe(ms[1])
    expect(bus.take(GROUP, 'b', REG, p)).toBe(ms[2])
    expect(bus.deliverable(GROUP, 'b', 0)).toEqual([])
  })

  it('does not redeliver committed messages after a rebalance', () => {
    // Given a handled and committed every message of every partition
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    for (let i = 0; i < 12; i++) bus.append(record(REG, `batch-${i}`), 0)
    for (const m of bus.deliverable(GROUP, 'a', 0)) expect(m.offset).toBe(0)
    let handled = 0
    for (;;) {
      const ready = bus.deliverable(GROUP, 'a', 0)
      if (ready.length === 0) break
      for (const m of ready) {
        bus.take(GROUP, 'a', m.topic, m.partition)
        bus.commit(GROUP, m.topic, m.partition, m.offset + 1)
        handled++
      }
    }
    expect(handled).toBe(12)
    expect(bus.lag(GROUP)).toBe(0)

    // When b joins (a rebalance) and then a leaves (another)
    bus.join(GROUP, 'b', [REG])
    const afterJoin = [...bus.deliverable(GROUP, 'a', 0), ...bus.deliverable(GROUP, 'b', 0)]
    bus.leave(GROUP, 'a')

    // Then nothing is delivered again
    expect(afterJoin).toEqual([])
    expect(bus.deliverable(GROUP, 'b', 0)).toEqual([])
    expect(bus.nextVisibleAt(GROUP, 'b')).toBeUndefined()
  })

  it('resets even a kept partition to the committed offset on rebalance', () => {
    // Given a took two messages of its partition without committing
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    const k = keyFor(0)
    const m0 = bus.append(record(REG, k), 0)
    bus.append(record(REG, k), 0)
    bus.take(GROUP, 'a', REG, 0)
    bus.take(GROUP, 'a', REG, 0)

    // When another group member joins but a keeps partition 0
    bus.join(GROUP, 'b', [REG])

    // Then a's position restarted at the committed offset 0
    expect(bus.assignment(GROUP, 'a')[0]).toEqual({topic: REG, partition: 0})
    expect(bus.deliverable(GROUP, 'a', 0)).toEqual([m0])
  })

  it('allows committing backwards, which redelivers from there after the next rebalance', () => {
    // Given a committed offset 2 of partition 0
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG])
    const k = keyFor(0)
    const ms = [0, 1].map(() => bus.append(record(REG, k), 0))
    bus.commit(GROUP, REG, 0, 2)

    // When it commits 1, then a rebalance happens
    bus.commit(GROUP, REG, 0, 1)
    bus.join(GROUP, 'b', [CONTENT])

    // Then the stored offset is 1 and the message at offset 1 comes again
    expect(bus.committed(GROUP, REG, 0)).toBe(1)
    expect(bus.deliverable(GROUP, 'a', 0)).toEqual([ms[1]])
    expect(() => bus.commit(GROUP, REG, 0, 3)).toThrow(RangeError)
    expect(() => bus.commit(GROUP, REG, 5, 0)).toThrow(RangeError)
  })

  it('keeps groups independent', () => {
    // Given two groups reading the same topic, one of which committed
    const bus = new MemoryBus()
    bus.join('els', 'a', [REG])
    bus.join('audit', 'x', [REG])
    const m = bus.append(record(REG, keyFor(1)), 0)
    bus.take('els', 'a', REG, 1)
    bus.commit('els', REG, 1, 1)

    // When / Then the other group still has it pending
    expect(bus.committed('els', REG, 1)).toBe(1)
    expect(bus.committed('audit', REG, 1)).toBe(0)
    expect(bus.lag('els')).toBe(0)
    expect(bus.lag('audit')).toBe(1)
    expect(bus.deliverable('audit', 'x', 0)).toEqual([m])
  })

  it('counts a generation per rebalance and refuses duplicate joins and unknown leaves', () => {
    // Given a fresh group
    const bus = new MemoryBus()
    expect(bus.generation(GROUP)).toBe(0)

    // When two members join and one leaves
    bus.join(GROUP, 'a', [REG])
    bus.join(GROUP, 'b', [REG])
    bus.leave(GROUP, 'a')

    // Then there were three rebalances; a duplicate join or unknown leave throws
    expect(bus.generation(GROUP)).toBe(3)
    expect(() => bus.join(GROUP, 'b', [REG])).toThrow(/already a member/)
    expect(() => bus.leave(GROUP, 'a')).toThrow(/not a member/)
    expect(bus.generation(GROUP)).toBe(3)
    expect(bus.assignment(GROUP, 'a')).toEqual([])
  })

  it('keeps counting lag after every member left', () => {
    // Given a group whose only member left with messages pending
    const bus = new MemoryBus()
    bus.join(GROUP, 'a', [REG, CONTENT])
    bus.append(record(REG, 'b1'), 0)
    bus.append(record(CONTENT, 'f1'), 0)
    bus.append(record('unrelated', 'x'), 0)
    bus.leave(GROUP, 'a')

    // When / Then both subscribed topics still count, the unrelated one does not
    expect(bus.lag(GROUP)).toBe(2)
    expect(bus.generation(GROUP)).toBe(2)
  })
})
