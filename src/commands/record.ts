import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {limitsHelp} from '../cli/limits-help.js'
import {InputError} from '../sim/input-error.js'
import {HELP, runFlags, runOptions, shapeArgs} from '../cli/sim-flags.js'
import {forceFlag, topicPrefixFlag} from '../cli/shared-flags.js'
import {ensureWritableFile} from '../cli/writable-path.js'
import {writeFileSafely} from '../sim/files/safe-write.js'
import {type Expected, MAX_DESCRIPTION} from '../sim/fixture/format/fixture.js'
import type {RunResult} from '../sim/simulated/run-simulation.js'
import type {RecordFromKafkaJson} from '../sim/fixture/from-kafka/record-from-kafka.js'
import {digitGroups} from '../sim/digit-groups.js'

export type RecordJson = {file: string; expect: Expected; deliveries: readonly string[]} & RunResult

const RUN_FLAGS = Object.keys(runFlags({schedule: false}))

export default class Record extends BaseCommand {
  static override summary = 'Run a scenario and write it as a fixture that replays it event for event'

  static override description = `Runs a scenario exactly as \`racelab run\` does (same flags, same seed, same trace) and writes a fixture: the base scenario, the topology, the delays, wakes and faults, the seed, every event ELS took in order (deliveries), and the outcome as the expectation for the strategy run. Replaying the fixture reproduces the run event for event (record checks that before it writes).

A failing cell of a search is recorded from its seed: racelab record --seed N ...

FROM KAFKA (--from-kafka local|BROKERS --topic-prefix PREFIX): reads the three ELS input topics of PREFIX (and the partition-key remedy's shared topic if there is one) from the beginning to their current end, rebuilds the topology (registrations give the batches and their essays, contents and validation failures the files and whether they are valid), orders the events by their broker timestamps (never reordering a partition), and writes a fixture with that order as its deliveries and, as its expectation, what replaying it in memory under naive and buffer gives. racelab's own ids (b1, b1-f2) are kept; other ids become b1.., f1.. in order of first appearance, the originals listed in a comment. A later copy of an event (a relay re-send) is left out, with a note.

SCENARIOS
${HELP.scenarios}

STRATEGIES
${HELP.strategies}

DELAYS (--delay TARGET=VALUE)
${HELP.delays}

FAULTS (--fault)
${HELP.faults}

${limitsHelp(['durations', 'seeds', 'descriptions'])}

${exitCodesHelp({
    0: "the fixture was written (whatever the run's verdict: it is the expectation)",
    2: 'bad input (with --from-kafka also: an unreachable cluster, a prefix with no messages)',
  })}`

  static override examples = [
    {description: 'Capture the race as a fixture', command: '<%= config.bin %> record --scenario content-first --strategy naive --out race.yaml'},
    {description: 'Capture what a live run put on the wire', command: '<%= config.bin %> record --from-kafka local --topic-prefix demo- --out observed.yaml'},
    {description: 'Capture a seed of random with faults', command: "<%= config.bin %> record --scenario random --seed 42 --fault relay-crash-after-publish=file@30% --out resend.yaml"},
  ]

  static override flags = {
    out: Flags.string({required: true, summary: 'Write the fixture to FILE (YAML).'}),
    // No file counts as racelab's own here: a fixture is source a user edits (see src/sim/files/safe-write.ts).
    force: forceFlag('Replace FILE if it exists (a regular file: never a symlink, directory or device).'),
    description: Flags.string({
      summary: 'The fixture’s description (default: what was run and its outcome).',
      async parse(text) {
        if (text.length > MAX_DESCRIPTION) throw new InputError(`--description: ${digitGroups(text.length)} characters; a fixture's description is at most ${digitGroups(MAX_DESCRIPTION)}`)
        return text
      },
    }),
    // No --schedule: a fixture records the deliveries of a run drawn from the seed.
    ...runFlags({seed: 'Seed for every random choice.', schedule: false}),
    'from-kafka': Flags.string({
      exclusive: RUN_FLAGS,
      summary: 'local or BROKERS (host:port,...): record the input topics of --topic-prefix there instead of running a scenario (see FROM KAFKA).',
    }),
    'topic-prefix': topicPrefixFlag({summary: 'With --from-kafka: the prefix of the topics to record (a live run prints it: topics PREFIX*).'}),
  }

  async run(): Promise<RecordJson | RecordFromKafkaJson> {
    const {flags} = await this.parse(Record)
    if (flags['from-kafka'] !== undefined) return this.recordLive({...flags, fromKafka: flags['from-kafka']})
    if (flags['topic-prefix'] !== undefined) throw new InputError('--topic-prefix: only with --from-kafka (the prefix of the topics to record)')
    const options = runOptions(flags)
    const out = ensureWritableFile('--out', flags.out, {force: flags.force})
    const command = ['racelab record', `--scenario ${flags.scenario}`, `--strategy ${flags.strategy}`, `--seed ${flags.seed}`, ...shapeArgs(flags)].join(' ')
    const [{recordFixture}, {actualOutcome}] = await Promise.all([import('../sim/fixture/record/fixture-record.js'), import('../sim/fixture/replay/fixture-replay.js')])
    const recording = recordFixture({...options, description: flags.description, command})
    writeFileSafely(out, recording.text)
    const {result} = recording.run
    const expected = actualOutcome(result.violations)
    if (!this.jsonEnabled()) await this.render((await import('../ui/record-report.js')).RecordReport, {file: flags.out, result, expected, deliveries: recording.deliveries})
    return {file: flags.out, expect: expected, deliveries: recording.deliveries, ...result}
  }

  /** --from-kafka: a fixture from what is on the wire under one topic prefix. */
  private async recordLive(flags: {fromKafka: string; 'topic-prefix'?: string; out: string; force: boolean; description?: string}): Promise<RecordFromKafkaJson> {
    const prefix = flags['topic-prefix']
    if (prefix === undefined) throw new InputError('--from-kafka needs --topic-prefix PREFIX: the prefix of the topics to record (a live run prints it: topics PREFIX*)')
    const out = ensureWritableFile('--out', flags.out, {force: flags.force})
    const command = ['racelab record', `--from-kafka ${flags.fromKafka}`, `--topic-prefix '${prefix}'`, `--out ${flags.out}`].join(' ')
    const {formatKafkaRecording, kafkaRecordingJson, recordFromKafka} = await import('../sim/fixture/from-kafka/record-from-kafka.js')
    const recorded = await recordFromKafka({kafka: flags.fromKafka, topicPrefix: prefix, description: flags.description, command})
    writeFileSafely(out, recorded.text)
    const json = kafkaRecordingJson(recorded, flags.out)
    if (!this.jsonEnabled()) for (const line of formatKafkaRecording(recorded, flags.out)) this.log(line)
    return json
  }
}
