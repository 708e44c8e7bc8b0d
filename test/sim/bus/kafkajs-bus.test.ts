import {describe, expect, it} from 'vitest'

import {checkTopicPrefix, describeError, KafkajsBus, KafkaUnreachableError, parseBrokerList} from '../../../src/sim/bus/kafkajs-bus.js'

describe('parseBrokerList', () => {
  it.each([
    ['127.0.0.1:9092', ['127.0.0.1:9092']],
    ['127.0.0.1:1,127.0.0.1:2', ['127.0.0.1:1', '127.0.0.1:2']],
    [' kafka-1.internal:9092 , kafka-2:9093 ', ['kafka-1.internal:9092', 'kafka-2:9093']],
    ['[::1]:9092', ['[::1]:9092']],
  ])('%s', (spec, brokers) => {
    expect(parseBrokerList(spec)).toEqual(brokers)
  })

  it.each([['memory'], [''], ['localhost'], ['host:0'], ['host:99999'], ['a b:1']])('rejects %j naming the bad entry', (spec) => {
    expect(() => parseBrokerList(spec)).toThrow(RangeError)
  })
})

describe('checkTopicPrefix', () => {
  it('accepts Kafka topic characters and rejects others', () => {
    expect(() => checkTopicPrefix('racelab-1-abc_x.')).not.toThrow()
    expect(() => checkTopicPrefix('')).not.toThrow()
    expect(() => checkTopicPrefix('bad prefix')).toThrow(/may only hold/)
    expect(() => checkTopicPrefix('x'.repeat(151))).toThrow(/longer than 150/)
  })
})

describe('KafkajsBus without a cluster', () => {
  it('maps wire topics to logical ones and back', () => {
    const bus = new KafkajsBus({brokers: ['127.0.0.1:9092'], topicPrefix: 'run-7-'})
    expect(bus.physical('huleedu.els.batch.essays.ready.v1')).toBe('run-7-huleedu.els.batch.essays.ready.v1')
    expect(bus.logical('run-7-huleedu.els.batch.essays.ready.v1')).toBe('huleedu.els.batch.essays.ready.v1')
  })

  it('turns a kafkajs message into the core BusMessage: strings, headers, broker time on the caller clock', () => {
    // Given: a clock whose origin is epoch 1_000_000 ms
    const bus = new KafkajsBus({brokers: ['127.0.0.1:9092'], topicPrefix: 'p-', timeOf: (epochMs) => (epochMs - 1_000_000) * 1000})

    // When
    const message = bus.toBusMessage('p-huleedu.batch.essays.registered.v1', 2, {
      key: Buffer.from('b1'),
      value: Buffer.from('{"event_id":"x"}'),
      headers: {event_id: Buffer.from('e-1'), event_type: Buffer.from('huleedu.batch.essays.registered.v1')},
      offset: '41',
      timestamp: '1000250',
      attributes: 0,
    })

    // Then
    expect(message).toEqual({
      topic: 'huleedu.batch.essays.registered.v1',
      key: 'b1',
      value: '{"event_id":"x"}',
      headers: {event_id: 'e-1', event_type: 'huleedu.batch.essays.registered.v1'},
      partition: 2,
      offset: 41,
      appendedAt: 250_000,
    })
  })

  it('an unreachable cluster: a KafkaUnreachableError naming every broker, well within the connection timeout budget', async () => {
    // Given: nothing listens on ports 1 and 2
    const bus = new KafkajsBus({brokers: ['127.0.0.1:1', '127.0.0.1:2'], connectionTimeoutMs: 1000})
    const started = Date.now()

    // When
    const error = await bus.connect().then(
      () => undefined,
      (e: unknown) => e,
    )

    // Then
    expect(error).toBeInstanceOf(KafkaUnreachableError)
    expect((error as Error).message).toMatch(/^cannot reach Kafka at 127\.0\.0\.1:1,127\.0\.0\.1:2: .*ECONNREFUSED/)
    expect((error as Error).message).not.toContain('\n')
    expect(Date.now() - started).toBeLessThan(10_000)
    await bus.close()
  })

  it('describeError finds the innermost cause kafkajs wrapped', () => {
    const inner = new Error('connect ECONNREFUSED 127.0.0.1:1')
    const outer = Object.assign(new Error('KafkaJSNumberOfRetriesExceeded'), {cause: inner})
    expect(describeError(outer)).toBe('connect ECONNREFUSED 127.0.0.1:1')
  })
})
