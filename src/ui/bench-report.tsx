import {Box, Text} from 'ink'

import type {HandlerBench, LiveBench, Percentiles, SimulatedBench} from '../sim/bench/bench.js'

export interface BenchReportProps {
  simulated: readonly SimulatedBench[]
  handler?: HandlerBench
  live?: LiveBench
}

const pct = (p: Percentiles, unit: string): string =>
  `mean ${p.mean.toFixed(2)} ${unit}, p50 ${p.p50.toFixed(2)}, p90 ${p.p90.toFixed(2)}, p99 ${p.p99.toFixed(2)}, max ${p.max.toFixed(2)}`

/** What `racelab bench` prints: the simulated section, then the live one if a cluster was given. */
export function BenchReport({simulated, handler, live}: BenchReportProps) {
  return (
    <Box flexDirection="column">
      <Text bold>simulated (virtual time, one process, strategy buffer)</Text>
      {simulated.map((s) => (
        <Text key={s.scenario}>
          {'  '}
          {s.scenario.padEnd(15)} {String(s.essays).padStart(3)} essays {String(s.runs).padStart(6)} runs{' '}
          {s.runsPerSecond.toFixed(1).padStart(8)} runs/s   ms/run: {pct(s.msPerRun, 'ms')}
        </Text>
      ))}
      {handler && (
        <>
          <Text> </Text>
          <Text bold>
            handler ({handler.scenario}, {handler.runs} seeds, built-in buffer and {handler.handler} in turn)
          </Text>
          <Text>
            {'  '}built-in buffer   ms/run: {pct(handler.builtinMsPerRun, 'ms')}
          </Text>
          <Text>
            {'  '}handler           ms/run: {pct(handler.handlerMsPerRun, 'ms')}
          </Text>
          <Text color={handler.met ? 'green' : 'red'}>
            {'  '}handler / built-in: {handler.ratio.mean.toFixed(2)}× (mean), {handler.ratio.p50.toFixed(2)}× (p50); goal: mean ≤ {handler.goal}×, {handler.met ? 'met' : 'MISSED'}
          </Text>
        </>
      )}
      {live && (
        <>
          <Text> </Text>
          <Text bold>
            live ({live.kafka.brokers.join(',')}, {live.kafka.clusterId}, {live.kafka.partitions} partitions/topic)
          </Text>
          <Text>
            {'  '}raw kafkajs, {live.rawKafkajs.batchSize} msgs/request {String(live.rawKafkajs.eventsPerSecond).padStart(8)} events/s ({live.rawKafkajs.events} in{' '}
            {live.rawKafkajs.seconds.toFixed(2)} s)
          </Text>
          <Text>
            {'  '}raw kafkajs, 1 msg/request    {String(live.rawKafkajsOneByOne.eventsPerSecond).padStart(8)} events/s ({live.rawKafkajsOneByOne.events} in{' '}
            {live.rawKafkajsOneByOne.seconds.toFixed(2)} s)
          </Text>
          <Text>
            {'  '}relay (outbox to broker ack)   {String(live.relay.eventsPerSecond).padStart(8)} events/s ({live.relay.events} in {live.relay.seconds.toFixed(2)} s),{' '}
            {(live.relay.ratioToRaw * 100).toFixed(0)}% of raw {live.relay.ratioToRaw >= 0.5 ? '(goal >= 50%: met)' : '(goal >= 50%: NOT met)'}
          </Text>
          <Text>
            {'  '}end to end (outbox commit to ELS handled), {live.endToEnd.messages} messages, a batch of {live.endToEnd.essays} every{' '}
            {live.endToEnd.gapMs} ms:
          </Text>
          <Text>
            {'    '}commit to handled: {pct(live.endToEnd.latencyMs, 'ms')}
          </Text>
          <Text>
            {'    '}commit to ack:     {pct(live.endToEnd.commitToAckMs, 'ms')}
          </Text>
        </>
      )}
    </Box>
  )
}
