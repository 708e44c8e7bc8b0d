import {Box, Text} from 'ink'

import type {LiveBench, Percentiles, SimulatedBench} from '../sim/bench/bench.js'
import type {FirstFailureBench} from '../sim/bench/first-failure-bench.js'

export interface BenchReportProps {
  simulated: readonly SimulatedBench[]
  firstFailure?: FirstFailureBench
  live?: LiveBench
}

const pct = (p: Percentiles, unit: string): string =>
  `mean ${p.mean.toFixed(2)} ${unit}, p50 ${p.p50.toFixed(2)}, p90 ${p.p90.toFixed(2)}, p99 ${p.p99.toFixed(2)}, max ${p.max.toFixed(2)}`

/** What `racelab bench` prints: the simulated section, then the live one if a cluster was given. */
export function BenchReport({simulated, firstFailure, live}: BenchReportProps) {
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
      {firstFailure && (
        <>
          <Text> </Text>
          <Text bold>
            runs to first failure (median of {firstFailure.searches} searches, at most {firstFailure.maxRuns} runs each,{' '}
            {firstFailure.seconds.toFixed(1)} s)
          </Text>
          <Text dimColor>
            {'  '}
            {firstFailure.scenario} × {firstFailure.strategy} with {firstFailure.delays.join(' ')}
          </Text>
          {firstFailure.choosers.map((c) => (
            <Text key={c.chooser}>
              {'  '}
              {c.chooser.padEnd(15)} {(c.median === null ? `> ${firstFailure.maxRuns}` : String(c.median)).padStart(8)} runs
            </Text>
          ))}
          <Text>
            {'  '}best of PCT and POS over random: {firstFailure.bestToRandom === null ? 'none found' : `${firstFailure.bestToRandom} (goal <= 0.01: ${firstFailure.bestToRandom <= 0.01 ? 'met' : 'NOT met'})`}
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
