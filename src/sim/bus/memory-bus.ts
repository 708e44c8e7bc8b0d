import type {Micros} from '../kernel/time.js'
import type {Bus, BusMessage, BusRecord, ProduceAck} from './bus.js'
import {HandedOverLog} from './handed-over-log.js'
import {partitionFor} from './murmur2.js'
import {compareStrings} from '../code-unit-order.js'

/**
 * The deterministic in-memory Kafka the simulation kernel drives (docs/architecture.md#the-memory-bus).
 * Everything is synchronous and every instant is an argument: no wall clock, no randomness, no
 * timers.
 *
 * What it models, and where it simplifies real Kafka:
 * - Topics are auto-created on first use (append, join, commit) with `partitionsByTopic[topic]`
 *   or `defaultPartitions` (3, like the real topics) partitions; the count never changes.
 * - A keyed record goes to the partition kafkajs's DefaultPartitioner picks (murmur2), gets the
 *   next offset of that partition, and becomes visible to consumers at `visibleAt`: the append
 *   time plus a delivery latency, but never before the previous message of its partition, so
 *   latency never reorders a partition.
 * - Consumer groups use eager rebalancing with Kafka's RoundRobinAssignor: on every join or
 *   leave all partitions are reassigned, and every member's fetch position restarts at the
 *   group's committed offset. That is how uncommitted messages are redelivered after a crash
 *   (a crash is a `leave`), exactly as in Kafka.
 * - A consumer fetches one message at a time per partition (the head at its fetch position).
 * - The bus does not fence commits itself: `commit` stores whatever offset it is given, whoever
 *   sends it and whatever the generation. Fencing is the consumer's: taking a message and
 *   committing it are separate steps (the handling takes virtual time, and a rebalance can come
 *   in between), so the group member (simulated/memory-member.ts) notes `generation(group)` when it takes a message and commits
 *   only if the group is still in that generation. Otherwise it drops the commit (traced as
 *   `commit-rejected`), as Kafka rejects a commit from an old generation, and the message is
 *   delivered again from the committed offset to whichever member owns the partition now.
 */

/** A message as the log stores it: the consumer's view plus when it becomes deliverable. */
export type LoggedMessage = BusMessage & {readonly visibleAt: Micros}

export interface TopicPartition {
  topic: string
  partition: number
}

export interface MemoryBusOptions {
  /** Partitions of an auto-created topic without its own entry; default 3. */
  defaultPartitions?: number
  /** Partition count per topic name. */
  partitionsByTopic?: Record<string, number>
}

/** A partition a member owns, with its fetch position (the offset of the next message to hand out). */
interface Owned {
  readonly topic: string
  readonly partition: number
  readonly log: LoggedMessage[]
  position: number
}

interface Member {
  readonly id: string
  readonly topics: ReadonlySet<string>
  owned: Owned[]
}

interface Group {
  readonly members: Map<string, Member>
  /** Every topic any member ever subscribed: lag keeps counting them after all members left. */
  readonly topics: Set<string>
  /** Committed offsets per topic, one slot per partition (0 = nothing committed). */
  readonly committed: Map<string, number[]>
  generation: number
}

const EMPTY: readonly LoggedMessage[] = Object.freeze([])

function assertTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer of microseconds, got ${value}`)
  }
}

export class MemoryBus implements Bus {
  /** The virtual time `produce()` appends at; the kernel sets it before running a step. */
  now: Micros = 0

  private readonly defaultPartitions: number
  private readonly partitionsByTopic: Readonly<Record<string, number>>
  /** Per topic, one append-only log per partition; the offset of a message is its index. */
  private readonly partitions = new Map<string, LoggedMessage[][]>()
  /** Per topic, every message in append order. */
  private readonly byTopic = new Map<string, LoggedMessage[]>()
  /** Every message of every topic in append order. */
  private readonly log: LoggedMessage[] = []
  private readonly groups = new Map<string, Group>()
  /** Set once the log was handed over (`handOver`): the broker holds no message any more. */
  private handedOver = false

  constructor(opts: MemoryBusOptions = {}) {
    const defaultPartitions = opts.defaultPartitions ?? 3
    MemoryBus.assertPartitionCount('defaultPartitions', defaultPartitions)
    const partitionsByTopic = {...opts.partitionsByTopic}
    for (const [topic, n] of Object.entries(partitionsByTopic)) {
      MemoryBus.assertPartitionCount(`partitionsByTopic[${topic}]`, n)
    }
    this.defaultPartitions = defaultPartitions
    this.partitionsByTopic = partitionsByTopic
  }

  /**
   * The broker's state for explore's state hash (docs/architecture.md#explore): every message by
   * partition with its key, value and headers, when it becomes visible if it is not yet (relative
   * to `now`; when a visible one became so drives nothing), and each group's members, fetch
   * positions, committed offsets and generation. Timestamps inside a value are left to the caller.
   */
  fingerprint(now: Micros, value: (text: string) => string = (text) => text): string {
    const parts: string[] = []
    for (const [topic, logs] of [...this.partitions].sort(([a], [b]) => compareStrings(a, b))) {
      logs.forEach((log, partition) => {
        for (const m of log) parts.push(`${topic}#${partition}@${m.offset} ${m.key} ${m.visibleAt > now ? m.visibleAt - now : 0} ${JSON.stringify(m.headers)} ${value(m.value)}`)
      })
    }
    for (const [name, g] of [...this.groups].sort(([a], [b]) => compareStrings(a, b))) {
      parts.push(`group ${name} g${g.generation} ${JSON.stringify([...g.committed].sort(([a], [b]) => compareStrings(a, b)))}`)
      for (const [id, member] of [...g.members].sort(([a], [b]) => compareStrings(a, b))) {
        parts.push(`member ${id} ${member.owned.map((o) => `${o.topic}#${o.partition}:${o.position}`).join(',')}`)
      }
    }
    return parts.join('\n')
  }

  // ---- producer side ------------------------------------------------------------------------

  /**
   * Appends a record at virtual time `now`; it becomes deliverable at
   * `max(now + latency, visibleAt of the previous message of its partition)`.
   */
  append(record: BusRecord, now: Micros, latency: Micros = 0): LoggedMessage {
    assertTime('now', now)
    assertTime('latency', latency)
    if (this.handedOver) throw new Error('the bus handed its log over: the run is over')
    if (typeof record.key !== 'string') throw new TypeError('a record needs a string key')
    const logs = this.ensureTopic(record.topic)
    const partition = partitionFor(record.key, logs.length)
    const log = logs[partition]
    const previous = log.length > 0 ? log[log.length - 1].visibleAt : 0
    const message: LoggedMessage = Object.freeze({
      topic: record.topic,
      key: record.key,
      value: record.value,
      // Not a spread: V8 gives each frozen spread copy a hidden class of its own (283 against 122
      // bytes a message, ~80 MiB at 10,000 batches × 25 essays). fromEntries, not Object.assign,
      // keeps a header named __proto__ a header.
      headers: Object.freeze(Object.fromEntries(Object.entries(record.headers))),
      partition,
      offset: log.length,
      appendedAt: now,
      visibleAt: Math.max(previous, now + latency),
    })
    log.push(message)
    this.byTopic.get(record.topic)!.push(message)
    this.log.push(message)
    return message
  }

  /** The Bus interface: appends at `this.now` with no latency and acks with partition and offset. */
  async produce(record: BusRecord): Promise<ProduceAck> {
    const message = this.append(record, this.now)
    return {topic: message.topic, partition: message.partition, offset: message.offset}
  }

  // ---- the log ------------------------------------------------------------------------------

  /** The log of one topic, or of all topics, in append order (a copy). */
  messages(topic?: string): readonly LoggedMessage[] {
    if (topic === undefined) return this.log.slice()
    return this.byTopic.get(topic)?.slice() ?? EMPTY
  }

  /**
   * The end of a run that keeps no trace: every message, in append order, handed to the judge,
   * and the broker's own logs emptied, as if retention had deleted every segment at once (Kafka
   * deletes by age or size, never a record a consumer has not read: here the run is over and no
   * consumer will read again). After this the bus takes no more appends, and its logs (so its
   * end offsets and lag) read as empty: nothing may drive it any more.
   */
  handOver(): HandedOverLog {
    const log = new HandedOverLog(this.log.slice())
    this.handedOver = true
    this.log.length = 0
    for (const messages of this.byTopic.values()) messages.length = 0
    for (const logs of this.partitions.values()) for (const messages of logs) messages.length = 0
    return log
  }

  /** How many partitions the topic has (or will have once it is auto-created). */
  partitionCount(topic: string): number {
    return this.partitions.get(topic)?.length ?? this.partitionsByTopic[topic] ?? this.defaultPartitions
  }

  /** The offset the next message of this partition will get (Kafka's log-end offset). */
  endOffset(topic: string, partition: number): number {
    return this.partitionLog(topic, partition).length
  }

  // ---- consumer groups ----------------------------------------------------------------------

  /** Adds a member subscribed to `topics` and rebalances the group. */
  join(group: string, instanceId: string, topics: readonly string[]): void {
    const g = this.ensureGroup(group)
    if (g.members.has(instanceId)) {
      throw new Error(`instance ${instanceId} is already a member of group ${group}`)
    }
    for (const topic of topics) {
      this.ensureTopic(topic)
      g.topics.add(topic)
    }
    g.members.set(instanceId, {id: instanceId, topics: new Set(topics), owned: []})
    this.rebalance(g)
  }

  /** Removes a member (a clean shutdown or a crash) and rebalances the group. */
  leave(group: string, instanceId: string): void {
    const g = this.groups.get(group)
    if (!g?.members.delete(instanceId)) {
      throw new Error(`instance ${instanceId} is not a member of group ${group}`)
    }
    this.rebalance(g)
  }

  /** The partitions a member owns, sorted by (topic, partition); none for a non-member. */
  assignment(group: string, instanceId: string): TopicPartition[] {
    const member = this.groups.get(group)?.members.get(instanceId)
    if (!member) return []
    return member.owned.map(({topic, partition}) => ({topic, partition}))
  }

  /**
   * What a member can handle at `now`: per owned partition the message at its fetch position,
   * if it exists and is visible, ordered by (topic, partition). At most one per partition.
   */
  deliverable(group: string, instanceId: string, now: Micros): LoggedMessage[] {
    const member = this.groups.get(group)?.members.get(instanceId)
    const out: LoggedMessage[] = []
    if (!member) return out
    for (const owned of member.owned) {
      const head = owned.log[owned.position]
      if (head !== undefined && head.visibleAt <= now) out.push(head)
    }
    return out
  }

  /** The earliest `visibleAt` among the member's heads (visible or not); undefined if none waits. */
  nextVisibleAt(group: string, instanceId: string): Micros | undefined {
    const member = this.groups.get(group)?.members.get(instanceId)
    let next: Micros | undefined
    if (!member) return next
    for (const owned of member.owned) {
      const head = owned.log[owned.position]
      if (head !== undefined && (next === undefined || head.visibleAt < next)) next = head.visibleAt
    }
    return next
  }

  /**
   * Hands the head of a partition to its owner and advances the owner's fetch position. The
   * caller takes only what `deliverable` offered; this does not re-check visibility.
   */
  take(group: string, instanceId: string, topic: string, partition: number): LoggedMessage {
    const member = this.groups.get(group)?.members.get(instanceId)
    const owned = member?.owned.find((o) => o.topic === topic && o.partition === partition)
    if (!owned) {
      throw new Error(`instance ${instanceId} of group ${group} does not own ${topic}[${partition}]`)
    }
    const head = owned.log[owned.position]
    if (head === undefined) {
      throw new Error(`no message at offset ${owned.position} of ${topic}[${partition}]`)
    }
    owned.position++
    return head
  }

  /**
   * Stores the group's committed offset: `nextOffset` is the offset of the next message to read
   * (Kafka semantics: commit `message.offset + 1` after handling a message). As in Kafka, a
   * commit may move the offset backwards; after the next rebalance the messages from there on are
   * delivered again. Committing past the end of the log is refused: it can only be a bug. Not
   * fenced by generation: the caller checks `generation(group)` first (see the class comment).
   */
  commit(group: string, topic: string, partition: number, nextOffset: number): void {
    const end = this.endOffset(topic, partition)
    if (!Number.isInteger(nextOffset) || nextOffset < 0 || nextOffset > end) {
      throw new RangeError(`cannot commit offset ${nextOffset} of ${topic}[${partition}] (log end ${end})`)
    }
    this.committedOffsets(this.ensureGroup(group), topic)[partition] = nextOffset
  }

  /** The group's committed offset of a partition; 0 if it never committed there. */
  committed(group: string, topic: string, partition: number): number {
    return this.groups.get(group)?.committed.get(topic)?.[partition] ?? 0
  }

  /** Messages not yet committed, summed over every partition of every topic the group subscribed. */
  lag(group: string): number {
    const g = this.groups.get(group)
    if (!g) return 0
    let lag = 0
    for (const topic of g.topics) {
      const logs = this.ensureTopic(topic)
      const committed = g.committed.get(topic)
      for (let p = 0; p < logs.length; p++) lag += Math.max(0, logs[p].length - (committed?.[p] ?? 0))
    }
    return lag
  }

  /** How many rebalances the group went through (0 for a group nobody joined). */
  generation(group: string): number {
    return this.groups.get(group)?.generation ?? 0
  }

  // ---- internals ----------------------------------------------------------------------------

  /**
   * Kafka's RoundRobinAssignor: partitions sorted by (topic, partition) are dealt in turn to the
   * members sorted by id, skipping a member that does not subscribe to the partition's topic.
   * Every fetch position restarts at the committed offset.
   */
  private rebalance(g: Group): void {
    g.generation++
    const members = [...g.members.values()].sort((a, b) => compareStrings(a.id, b.id))
    for (const member of members) member.owned = []
    if (members.length === 0) return

    const subscribed = new Set<string>()
    for (const member of members) for (const topic of member.topics) subscribed.add(topic)
    const topics = [...subscribed].sort(compareStrings)

    let next = 0
    for (const topic of topics) {
      const logs = this.ensureTopic(topic)
      const committed = g.committed.get(topic)
      for (let partition = 0; partition < logs.length; partition++) {
        while (!members[next].topics.has(topic)) next = (next + 1) % members.length
        members[next].owned.push({topic, partition, log: logs[partition], position: committed?.[partition] ?? 0})
        next = (next + 1) % members.length
      }
    }
  }

  private ensureTopic(topic: string): LoggedMessage[][] {
    let logs = this.partitions.get(topic)
    if (!logs) {
      const n = this.partitionsByTopic[topic] ?? this.defaultPartitions
      logs = Array.from({length: n}, (): LoggedMessage[] => [])
      this.partitions.set(topic, logs)
      this.byTopic.set(topic, [])
    }
    return logs
  }

  private partitionLog(topic: string, partition: number): LoggedMessage[] {
    const log = this.ensureTopic(topic)[partition]
    if (!Number.isInteger(partition) || log === undefined) {
      throw new RangeError(`topic ${topic} has no partition ${partition}`)
    }
    return log
  }

  private ensureGroup(group: string): Group {
    let g = this.groups.get(group)
    if (!g) {
      g = {members: new Map(), topics: new Set(), committed: new Map(), generation: 0}
      this.groups.set(group, g)
    }
    return g
  }

  private committedOffsets(g: Group, topic: string): number[] {
    let offsets = g.committed.get(topic)
    if (!offsets) {
      offsets = new Array<number>(this.ensureTopic(topic).length).fill(0)
      g.committed.set(topic, offsets)
    }
    return offsets
  }

  private static assertPartitionCount(name: string, n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`)
  }
}
