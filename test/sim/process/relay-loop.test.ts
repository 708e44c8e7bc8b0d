import {describe, expect, it} from 'vitest'

import type {BusRecord} from '../../../src/sim/bus/bus.js'
import {Chooser, seededSource} from '../../../src/sim/kernel/chooser.js'
import {ms, type Micros} from '../../../src/sim/kernel/time.js'
import type {Clock} from '../../../src/sim/process/clock.js'
import {RelayLoop, type RelayPublisher} from '../../../src/sim/process/relay-loop.js'
import {fixed} from '../../../src/sim/scenario/delay.js'
import type {PublishingRelay, RelayRow} from '../../../src/sim/services/relay.js'

/** A clock that runs its steps in time order when asked, and nothing else. */
class StepClock implements Clock {
  private t = 0
  private steps: {at: Micros; seq: number; fn: () => void; cancelled: boolean}[] = []
  private seq = 0

  now(): Micros {
    return this.t
  }

  after(delay: Micros, fn: () => void): () => void {
    const step = {at: this.t + delay, seq: this.seq++, fn, cancelled: false}
    this.steps.push(step)
    return () => (step.cancelled = true)
  }

  runAll(): void {
    for (;;) {
      const live = this.steps.filter((s) => !s.cancelled)
      if (live.length === 0) return
      live.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = live[0]
      this.steps = live.slice(1)
      this.t = next.at
      next.fn()
    }
  }
}

/** An outbox in memory that counts the polls that reached it. */
class CountingOutbox implements PublishingRelay {
  readonly label = 'bos-relay'
  polls = 0
  private rows: {id: number; published: boolean}[] = []

  write(): void {
    this.rows.push({id: this.rows.length + 1, published: false})
  }

  poll(): RelayRow[] {
    this.polls++
    return this.rows
      .filter((r) => !r.published)
      .map((r) => ({id: r.id, aggregate_id: 'b', event_type: 'e', topic: 't', event_key: 'k', event_data: '{}', created_at: 0, retry_count: 0, source: 'bos'}))
  }

  recordFor(row: RelayRow): BusRecord {
    return {topic: 't', key: 'k', value: String(row.id), headers: {event_id: String(row.id)}}
  }

  published(row: RelayRow): void {
    this.rows[row.id - 1].published = true
  }

  failed(): void {}

  unpublished(): number {
    return this.rows.filter((r) => !r.published).length
  }
}

/** A broker that places and acks every record at once (or fails the first `failures` sends). */
function publisherOn(clock: StepClock, failures = 0): RelayPublisher {
  let offset = 0
  return {
    rowsPerSend: 1,
    send: (records, outcome) =>
      clock.after(0, () => {
        if (failures > 0) {
          failures--
          outcome.failed('broker down', true)
          return
        }
        outcome.appended(records().map((record) => ({record, ack: {topic: record.topic, partition: 0, offset: offset++}, visibleAt: clock.now()})))
        outcome.acked()
      }),
  }
}

function relayLoop(clock: StepClock, outbox: CountingOutbox, writesNotified: boolean, failures = 0): RelayLoop {
  return new RelayLoop({
    clock,
    chooser: new Chooser(seededSource(1)),
    relay: outbox,
    publisher: publisherOn(clock, failures),
    settings: () => ({publishDelay: fixed(0), pollInterval: ms(100), wake: true}),
    crashAfterPublish: () => false,
    writesNotified,
    trace: () => undefined,
  })
}

describe('RelayLoop, told of every write (writesNotified)', () => {
  it('answers the poll after it marked a complete poll\'s rows itself, and the next one after a commit without a row', () => {
    // Given a relay that published the one row it polled
    const clock = new StepClock()
    const outbox = new CountingOutbox()
    const loop = relayLoop(clock, outbox, true)
    outbox.write()
    loop.rowCommitted('bos')
    clock.runAll()

    // When a writer commits without an outbox row
    loop.rowCommitted('bos', false)
    clock.runAll()

    // Then only the first poll reached the outbox: the re-poll and the woken poll knew it empty
    expect(outbox.unpublished()).toBe(0)
    expect(loop.published).toBe(1)
    expect(outbox.polls).toBe(1)
  })

  it('asks the outbox again once a row is written, and publishes it', () => {
    // Given a relay that knows its outbox empty
    const clock = new StepClock()
    const outbox = new CountingOutbox()
    const loop = relayLoop(clock, outbox, true)
    loop.rowCommitted('bos')
    clock.runAll()

    // When
    outbox.write()
    loop.rowCommitted('bos')
    clock.runAll()

    // Then
    expect(outbox.unpublished()).toBe(0)
    expect(loop.published).toBe(1)
    expect(outbox.polls).toBe(2)
  })

  it('asks the outbox again after a failed send', () => {
    // Given a broker that fails the first send
    const clock = new StepClock()
    const outbox = new CountingOutbox()
    const loop = relayLoop(clock, outbox, true, 1)
    outbox.write()

    // When
    loop.rowCommitted('bos')
    clock.runAll()

    // Then the retry polled the outbox (and found the row), the poll after its mark did not
    expect(loop.failures).toBe(1)
    expect(outbox.unpublished()).toBe(0)
    expect(outbox.polls).toBe(2)
  })

  it('without writesNotified, asks the outbox at every poll', () => {
    // Given
    const clock = new StepClock()
    const outbox = new CountingOutbox()
    const loop = relayLoop(clock, outbox, false)
    outbox.write()
    loop.rowCommitted('bos')
    clock.runAll()

    // When
    loop.rowCommitted('bos', false)
    clock.runAll()

    // Then the first poll, the re-poll after the mark, and the woken poll
    expect(loop.published).toBe(1)
    expect(outbox.polls).toBe(3)
  })
})
