import {Box, Text} from 'ink'

import {formatExpected} from '../sim/fixture/format/fixture.js'
import type {ReplayVerdict, SuiteReport} from '../sim/fixture/replay/fixture-suite.js'
import {printable} from '../sim/printable.js'

export interface ReplayReportProps {
  report: SuiteReport
}

const VERDICT = {
  match: {label: 'MATCH', color: 'green'},
  mismatch: {label: 'MISMATCH', color: 'red'},
  invalid: {label: 'INVALID', color: 'yellow'},
} as const

const STRATEGY_COLUMN = 20

/** What `racelab replay` prints: per fixture, one verdict line per strategy, then a summary. */
export function ReplayReport({report}: ReplayReportProps) {
  const {counts} = report
  return (
    <Box flexDirection="column">
      {report.handlerCmd !== undefined ? (
        <Text dimColor>
          consumer process {printable(report.handlerCmd)} in place of ELS (buffer’s routing and relays), expected to do what each fixture expects of buffer{'\n'}
        </Text>
      ) : null}
      {report.handler !== undefined ? (
        <Text dimColor>
          handler {printable(report.handler)} in place of ELS (buffer’s routing and relays), expected to do what each fixture expects of buffer{'\n'}
        </Text>
      ) : null}
      {report.fixtures.map((fixture) => (
        <Box key={fixture.file} flexDirection="column" marginBottom={1}>
          <Text bold>
            {printable(fixture.file)}
            {fixture.description ? <Text dimColor>{`  ${printable(fixture.description)}`}</Text> : null}
          </Text>
          {fixture.replays.length === 0 && fixture.problems.length > 0 ? (
            <Text color="yellow">
              {'  '}INVALID {fixture.problems.length} problem{fixture.problems.length === 1 ? '' : 's'} (listed on stderr)
            </Text>
          ) : null}
          {fixture.replays.map((replay) => (
            <ReplayLine key={replay.strategy} replay={replay} />
          ))}
          {fixture.skipped.map((strategy) => (
            <Text key={strategy} dimColor>
              {'  '}
              {strategy.padEnd(STRATEGY_COLUMN)}skipped: the fixture states no expectation for it
            </Text>
          ))}
        </Box>
      ))}
      <Text bold color={VERDICT[report.verdict].color}>
        {VERDICT[report.verdict].label}: {counts.fixtures} fixture{counts.fixtures === 1 ? '' : 's'}, {counts.replays} replay
        {counts.replays === 1 ? '' : 's'}: {counts.matched} matched, {counts.mismatched} mismatched, {counts.invalid} invalid
      </Text>
    </Box>
  )
}

function ReplayLine({replay}: {replay: ReplayVerdict}) {
  const verdict = VERDICT[replay.verdict]
  const outcome =
    replay.verdict === 'invalid'
      ? (replay.problem ?? '')
      : replay.verdict === 'match'
        ? formatExpected(replay.actual)
        : `expected ${formatExpected(replay.expected)}, got ${formatExpected(replay.actual)}`
  return (
    <Box flexDirection="column">
      <Text>
        {'  '}
        {replay.strategy.padEnd(STRATEGY_COLUMN)}
        <Text color={verdict.color}>{verdict.label.padEnd(10)}</Text>
        {outcome}
        {replay.because === undefined || replay.verdict === 'invalid' ? '' : ` (declared: ${replay.because})`}
      </Text>
      {replay.unfollowed === undefined ? null : (
        <Text>
          {'      '}
          {replay.unfollowed}
        </Text>
      )}
      {replay.verdict === 'mismatch'
        ? replay.violations.map((v, i) => (
            <Text key={i} dimColor>
              {'      '}
              {v.invariant} {v.batchId}: {v.detail}
            </Text>
          ))
        : null}
    </Box>
  )
}
