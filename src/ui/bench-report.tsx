import {Box, Text} from 'ink'

import type {Percentiles} from '../sim/bench/bench.js'
import type {BenchJson} from '../sim/bench/bench-json.js'
import type {ExploreBench} from '../sim/bench/explore-bench.js'
import {BIG_RUN_GOAL, type BigRunBench} from '../sim/bench/big-run-bench.js'
import type {SoakResult} from '../sim/bench/soak.js'
import {FLOOR_GOAL} from '../sim/bench/sqlite-floor.js'
import {PARALLEL_GOAL} from '../sim/bench/parallel-bench.js'
import {digitGroups} from '../sim/digit-groups.js'

export type BenchReportProps = BenchJson

/** The one large run: its size, wall time and peak memory, against the goals for 10,000 batches. */
function BigRunSection({run}: {run: BigRunBench}) {
  const goal = run.batches === BIG_RUN_GOAL.batches ? `goals: under ${BIG_RUN_GOAL.seconds} s ${run.seconds < BIG_RUN_GOAL.seconds ? 'met' : 'NOT met'}, under 1 GiB ${run.peakMiB < BIG_RUN_GOAL.peakMiB ? 'met' : 'NOT met'}` : `goals at ${n(BIG_RUN_GOAL.batches)} batches: under ${BIG_RUN_GOAL.seconds} s, under 1 GiB`
  return (
    <>
      <Text> </Text>
      <Text bold>
        one large run ({run.scenario} × {run.strategy}, {n(run.batches)} batches × {run.essays} essays = {n(run.files)} files, in its own process)
      </Text>
      <Text>
        {'  '}
        {n(run.events)} events in {run.seconds.toFixed(2)} s, peak memory {n(run.peakMiB)} MiB, verdict {run.verdict}; {goal}
      </Text>
    </>
  )
}

/** Explore's section: the scope, how fast it went, and what the pruning saved against plain enumeration. */
function ExploreSection({explore}: {explore: ExploreBench}) {
  return (
    <>
      <Text> </Text>
      <Text bold>
        explore ({explore.scenario} × {explore.strategy}, {explore.essays} essays, --fault {explore.fault}, {explore.exhaustive ? 'exhaustive' : 'NOT exhaustive'})
      </Text>
      <Text>
        {'  '}
        {n(explore.runs)} runs, {n(explore.interleavings)} interleavings in {explore.seconds.toFixed(2)} s: {n(explore.runsPerSecond)} runs/s, {n(explore.interleavingsPerSecond)}{' '}
        interleavings/s
      </Text>
      <Text>
        {'  '}plain enumeration (estimated, Knuth): {n(explore.plainEstimate)} runs, {explore.pruning}× the runs explore made (goal: ≥ 10×, {explore.pruning >= 10 ? 'met' : 'NOT met'}); goal
        under 5 s: {explore.seconds < 5 ? 'met' : 'NOT met'}
      </Text>
    </>
  )
}

const n = digitGroups

/** The soak's section: what ran, what the wire held, each goal, and one verdict line. */
function SoakSection({soak}: {soak: SoakResult}) {
  const {wire, outage} = soak
  return (
    <>
      <Text> </Text>
      <Text bold>
        soak ({n(soak.events)} outbox rows: {n(soak.rows.bos)} at BOS, {n(soak.rows.file)} at the File Service; {soak.relayCrashes.happened} relay crashes; the brokers
        unreachable for {outage.seconds} s at {n(outage.atAcked)} rows acked)
      </Text>
      <Text>
        {'  '}published in {soak.seconds.toFixed(2)} s ({n(soak.eventsPerSecond)} rows/s), {outage.failedRequests} produce requests failed, {outage.connectionsReset}{' '}
        connections reset and {outage.connectionsRefused} refused
      </Text>
      <Text>
        {'  '}wire: {n(wire.messages + wire.unread)} messages, {n(wire.rowsSeen)} of {n(soak.events)} rows, {n(wire.duplicates)} duplicates (at most {wire.maxCopies} copies of a
        row){wire.unread > 0 ? `, ${n(wire.unread)} dropped by the broker before they were read` : ''}; {n(soak.unpublished)} unpublished
        {soak.givenUp > 0 ? ` (${n(soak.givenUp)} given up)` : ''}
      </Text>
      {soak.goals.map((goal) => (
        <Text key={goal.name}>
          {'  '}
          <Text color={goal.met ? 'green' : 'red'}>{goal.met ? 'met   ' : 'MISSED'}</Text> {goal.name.padEnd(22)} {goal.detail}
        </Text>
      ))}
      {soak.timedOut && <Text color="red">{'  '}the soak hit its time cap before it was done</Text>}
      {soak.counterError !== undefined && <Text color="red">{'  '}the counter stopped reading the wire: {soak.counterError}</Text>}
      <Text color={soak.passed ? 'green' : 'red'} bold>
        soak: {soak.passed ? 'PASS, every goal met' : `FAIL, ${soak.goals.filter((g) => !g.met).length} goal(s) missed${soak.timedOut || soak.counterError !== undefined ? ', and it did not finish' : ''} (exit 1)`}
      </Text>
    </>
  )
}

const pct = (p: Percentiles, unit: string): string =>
  `mean ${p.mean.toFixed(2)} ${unit}, p50 ${p.p50.toFixed(2)}, p90 ${p.p90.toFixed(2)}, p99 ${p.p99.toFixed(2)}, max ${p.max.toFixed(2)}`

/** What `racelab bench` prints: the simulated section, then the live one if a cluster was given. */
export function BenchReport({simulated, parallel, floor, handler, handlerCmd, firstFailure, explore, bigRun, live, soak}: BenchReportProps) {
  return (
    <Box flexDirection="column">
      <Text bold>simulated (virtual time, one process, strategy buffer)</Text>
      {simulated.map((s) => (
        <Box key={s.scenario} flexDirection="column">
          <Text>
            {'  '}
            {s.scenario.padEnd(15)} {String(s.essays).padStart(3)} essays {String(s.runs).padStart(6)} runs{' '}
            {s.runsPerSecond.toFixed(1).padStart(8)} runs/s   ms/run: {pct(s.msPerRun, 'ms')}; {n(s.simulatedPerWallSecond)} simulated s per wall s
          </Text>
          <Text>
            {'  '}
            {''.padEnd(15)} the fastest of {s.passes} passes: {s.bestPassRunsPerSecond.toFixed(1)} runs/s, {n(s.bestPassSimulatedPerWallSecond)} simulated s per wall s;{' '}
            {s.runsPerCpuSecond.toFixed(1)} runs per CPU second
          </Text>
        </Box>
      ))}
      {parallel && (
        <Text color={parallel.speedup >= PARALLEL_GOAL ? 'green' : 'red'}>
          {'  '}every core ({parallel.scenario}, {n(parallel.runs)} seeds, run and judged as verify does): 1 core {n(parallel.oneCoreRunsPerSecond)} runs/s,{' '}
          {parallel.workers} cores {n(parallel.everyCoreRunsPerSecond)} runs/s: {parallel.speedup.toFixed(2)}× (goal ≥ {PARALLEL_GOAL}×,{' '}
          {parallel.speedup >= PARALLEL_GOAL ? 'met' : 'MISSED'})
        </Text>
      )}
      {floor && (
        <Text color={floor.share >= FLOOR_GOAL ? 'green' : 'red'}>
          {'  '}SQLite floor ({floor.scenario}, {n(floor.runs)} seeds, {floor.statementsPerRun} statements a run): racelab {n(floor.racelabRunsPerSecond)} runs/s, the
          statements alone {n(floor.floorRunsPerSecond)} runs/s: racelab at {(floor.share * 100).toFixed(0)}% of its floor (goal ≥ {FLOOR_GOAL * 100}%,{' '}
          {floor.share >= FLOOR_GOAL ? 'met' : 'MISSED'}); the fastest of {floor.passes} passes: racelab {n(Math.round(floor.bestPass.racelabRunsPerSecond))} runs/s,
          the statements alone {n(Math.round(floor.bestPass.floorRunsPerSecond))}: {(floor.bestPass.share * 100).toFixed(0)}%
        </Text>
      )}
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
      {handlerCmd && (
        <>
          <Text> </Text>
          <Text bold>
            consumer process ({handlerCmd.scenario}, {handlerCmd.runs} seeds, built-in buffer and {handlerCmd.command} in turn)
          </Text>
          <Text>
            {'  '}built-in buffer   ms/run: {pct(handlerCmd.builtinMsPerRun, 'ms')}
          </Text>
          <Text>
            {'  '}process           ms/run: {pct(handlerCmd.msPerRun, 'ms')} ({handlerCmd.runsPerSecond.toFixed(1)} runs/s)
          </Text>
          <Text>
            {'  '}round trip        µs/request: {pct(handlerCmd.roundTrip.usPerRequest, 'µs')} ({handlerCmd.roundTrip.requests} requests)
          </Text>
        </>
      )}
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
      {explore && <ExploreSection explore={explore} />}
      {bigRun && <BigRunSection run={bigRun} />}
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
      {soak && <SoakSection soak={soak} />}
    </Box>
  )
}
