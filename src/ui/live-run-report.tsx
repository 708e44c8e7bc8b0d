import {Box, Text} from 'ink'

import type {BlackBoxReport} from '../sim/live/black-box-watch.js'
import type {LiveRunResult} from '../sim/live/run-live.js'
import {MAX_PUBLISH_RETRIES} from '../sim/outbox/outbox.js'
import {formatParameters} from './parameters-line.js'
import {VerdictBlock} from './verdict-block.js'

export interface LiveRunReportProps {
  result: LiveRunResult
  rerun: string
}

/**
 * What `racelab run --kafka BROKERS` prints after its live timeline (which it streams as the
 * events happen): verdict, violations, per-batch counts, the cluster and topics, the relays.
 */
export function LiveRunReport({result, rerun}: LiveRunReportProps) {
  const {kafka} = result
  const givenUp = result.unpublished.filter((row) => row.retryCount >= MAX_PUBLISH_RETRIES).length
  const partitionCounts = [...new Set(Object.values(kafka.partitions))].join('/')
  const topics =
    kafka.topics === 'created'
      ? `created with ${kafka.partitionsAsked} partitions`
      : `auto-created by the broker with ${partitionCounts} partitions (asked ${kafka.partitionsAsked}; no admin API on this cluster)`
  return (
    <Box flexDirection="column">
      <Text> </Text>
      <VerdictBlock verdict={result.verdict} violations={result.violations} batches={result.batches} />
      {result.unpublished.length > 0 && (
        <>
          <Text> </Text>
          <Text color="yellow">unpublished outbox rows (a row is given up after {MAX_PUBLISH_RETRIES} failed publishes and no longer read):</Text>
          {result.unpublished.map((row) => (
            <Text key={`${row.service}-${row.rowId}`}>
              {'  '}
              {row.service} row {row.rowId} {row.eventType}:{' '}
              {row.retryCount >= MAX_PUBLISH_RETRIES
                ? `given up after ${row.retryCount} failed publishes`
                : `${row.retryCount} failed publish${row.retryCount === 1 ? '' : 'es'}, still being retried when the run ended`}
              {row.lastError ? `, last error: ${row.lastError}` : ''}
            </Text>
          ))}
        </>
      )}
      {result.blackBox && <BlackBoxLines report={result.blackBox} />}
      <Text> </Text>
      <Text dimColor>
        kafka {kafka.brokers.join(',')} ({kafka.clusterId}), topics {kafka.topicPrefix}*: {topics}
        {kafka.topicsDeleted === undefined
          ? ''
          : kafka.topicsDeleted
            ? '; deleted after the check (--cleanup)'
            : '; --cleanup could not delete them: this cluster has no admin API'}
      </Text>
      <Text dimColor>
        relays:{' '}
        {result.relays
          .map((r) => `${r.relay} published ${r.published}${r.failures > 0 ? `, ${r.failures} failed` : ''}`)
          .join('; ')}
        ; observer read {result.observed} messages{result.blackBox ? ` of this run` : ''}
      </Text>
      <Text dimColor>parameters: {formatParameters(result.parameters)}</Text>
      <Text dimColor>
        wall clock {result.elapsedSeconds.toFixed(3)} s, {result.events} events, stopped: {result.stoppedBy}
      </Text>
      {result.stoppedBy === 'relays-gave-up' && (
        <Text color="red">
          ended early: the relays gave up {givenUp} row{givenUp === 1 ? '' : 's'} (the broker unreachable?) and nothing could make progress any more
        </Text>
      )}
      <Text dimColor>rerun: {rerun}</Text>
    </Box>
  )
}

/** `--els external`: what racelab published and watched, and what the topics could not show. */
function BlackBoxLines({report}: {report: BlackBoxReport}) {
  return (
    <>
      <Text> </Text>
      <Text>
        black-box: ELS ran elsewhere; racelab published to {report.published.join(', ')} and watched {report.watched.join(', ')}: {report.answered}{' '}
        {report.answered === 1 ? 'answer' : 'answers'} for batches {report.batchPrefix}*
      </Text>
      {report.answered > 0 && <Text>not judged from the topics alone:</Text>}
      {report.answered > 0 && report.notJudged.map((limit) => (
        <Text key={limit.invariant}>
          {'  '}
          {limit.invariant} ({limit.judged === 'no' ? 'not judged' : 'partly'}): {limit.why}
        </Text>
      ))}
    </>
  )
}
