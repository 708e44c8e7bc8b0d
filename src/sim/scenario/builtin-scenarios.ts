import {DEFAULT_PARTITIONS} from '../domain/topics.js'
import {ms, SECOND, seconds} from '../kernel/time.js'
import {DEFAULT_POLL_INTERVAL} from '../services/relay.js'
import {type Delay, fixed, range} from './delay.js'
import type {Expectation, RelaySettings, Scenario, ScenarioDefinition, Topology} from './scenario.js'

const relay = (publishDelay: Delay = fixed(0), wake = true): RelaySettings => ({
  publishDelay,
  pollInterval: DEFAULT_POLL_INTERVAL,
  wake,
})

/** Defaults every scenario starts from: no relay skew, fast broker, 2 essays in 1 batch. */
function base(name: string, topology: Topology, overrides: Partial<Scenario>): Scenario {
  return {
    name,
    batches: topology.batches ?? overrides.batches ?? 1,
    essays: topology.essays ?? overrides.essays ?? 2,
    extraFiles: 0,
    invalidFiles: [],
    processing: () => range(ms(300), ms(800)),
    relays: {bos: relay(), file: relay(), els: relay()},
    kafkaLatency: range(ms(1), ms(5)),
    elsHandling: range(ms(1), ms(3)),
    batchGap: range(ms(50), ms(200)),
    uploadGap: range(ms(5), ms(20)),
    pendingTimeout: seconds(24 * 3600),
    partitions: DEFAULT_PARTITIONS,
    ...overrides,
  }
}

/** The relay skews of the real runs (docs/domain.md#numbers): 0, 0.5, 1 and 2 s. */
const REAL_SKEWS = [0, ms(500), SECOND, 2 * SECOND]

const PASS: Expectation = {outcome: 'pass'}
const ALL_PASS = {naive: PASS, buffer: PASS, 'partition-key': PASS, 'relay-coordination': PASS}
const LOST_RACE: Expectation = {outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess']}
/** Content before registration: only buffering and coordinated relays survive it. */
const RACE = {naive: LOST_RACE, buffer: PASS, 'partition-key': LOST_RACE, 'relay-coordination': PASS}

/** Nothing to race: every strategy reports the unregistered batch's content (expired, or excess at once). */
const NEVER_REGISTERED = ALL_PASS

const definitions: ScenarioDefinition[] = [
  {
    name: 'registration-first',
    summary: 'the happy path: the registration reaches ELS before any content (2 essays)',
    build: (_chooser, topology) => base('registration-first', topology, {}),
    expect: ALL_PASS,
  },
  {
    name: 'content-first',
    summary: "BOS's relay lags 2 s: both contents reach ELS before the registration",
    build: (_chooser, topology) =>
      base('content-first', topology, {
        processing: () => range(ms(50), ms(100)),
        relays: {bos: relay(fixed(2 * SECOND)), file: relay(), els: relay()},
      }),
    expect: RACE,
  },
  {
    name: 'partial',
    summary: 'one content reaches ELS before the registration, the other after it',
    build: (_chooser, topology) =>
      base('partial', topology, {
        // Odd files are quick, even files slow: the registration (1 s late) lands in between.
        processing: (file) => (file % 2 === 0 ? range(ms(50), ms(100)) : range(ms(2500), ms(3000))),
        relays: {bos: relay(fixed(SECOND)), file: relay(), els: relay()},
      }),
    expect: RACE,
  },
  {
    name: 'relay-delay',
    summary: "the real debug test: BOS's relay 2.0 s behind, the File Service's 0.5 s behind",
    build: (_chooser, topology) =>
      base('relay-delay', topology, {
        processing: () => range(ms(200), ms(600)),
        relays: {bos: relay(fixed(2 * SECOND)), file: relay(fixed(ms(500))), els: relay()},
      }),
    expect: RACE,
  },
  {
    name: 'true-excess',
    summary: 'one file more than the batch has essays: exactly 1 excess under every strategy',
    build: (_chooser, topology) => base('true-excess', topology, {extraFiles: 1}),
    expect: ALL_PASS,
  },
  {
    name: 'validation-failure',
    summary: 'one of 2 files fails validation and reaches ELS before the registration',
    build: (_chooser, topology) =>
      base('validation-failure', topology, {
        invalidFiles: [0],
        processing: (file) => (file === 0 ? range(ms(50), ms(100)) : range(ms(2500), ms(3000))),
        relays: {bos: relay(fixed(SECOND)), file: relay(), els: relay()},
      }),
    expect: {
      naive: {outcome: 'fail', invariants: ['ready-exactly-once', 'no-lost-content']},
      buffer: PASS,
      'partition-key': {outcome: 'fail', invariants: ['ready-exactly-once', 'no-lost-content']},
      'relay-coordination': PASS,
    },
  },
  {
    name: 'never-registered',
    summary: 'b2 is never registered: its content and failure are buffered, expire after 5 s, reported',
    build: (_chooser, topology) =>
      base('never-registered', {...topology, batches: topology.batches ?? 2}, {invalidFiles: [1], neverRegistered: 1, pendingTimeout: seconds(5)}),
    expect: NEVER_REGISTERED,
  },
  {
    name: 'large-batch',
    summary: '25 essays with realistic processing times (0.2 to 3 s per file)',
    build: (_chooser, topology) =>
      base('large-batch', {...topology, essays: topology.essays ?? 25}, {processing: () => range(ms(200), 3 * SECOND)}),
    expect: ALL_PASS,
  },
  {
    name: 'random',
    summary: 'relay skews (0/0.5/1/2 s), wake-ups, broker latency and processing times drawn from the seed',
    build: (chooser, topology) => {
      // Drawn once per run: a relay's lag is a property of that deployment, not of one row.
      const skew = (): Delay => fixed(REAL_SKEWS[chooser.pick(REAL_SKEWS.length)])
      const bos = relay(skew(), chooser.chance(1, 2))
      const file = relay(skew(), true)
      return base('random', topology, {
        processing: () => range(ms(50), 2 * SECOND),
        relays: {bos, file, els: relay()},
        kafkaLatency: range(ms(1), ms(20)),
      })
    },
    expect: {
      naive: {outcome: 'fail-sometimes', invariants: ['ready-exactly-once', 'no-false-excess']},
      buffer: PASS,
      'partition-key': {outcome: 'fail-sometimes', invariants: ['ready-exactly-once', 'no-false-excess']},
      'relay-coordination': PASS,
    },
  },
  {
    name: 'batch-upload',
    summary: "the real upload: a batch's files share the File Service's one CPU; relays 2.0 s and 0.5 s behind",
    // docs/domain.md#file-processing-on-one-cpu: the first file of N commits after about N times
    // the least work of them, so larger batches' first content reaches ELS later.
    build: (_chooser, topology) =>
      base('batch-upload', topology, {
        processing: () => range(ms(200), 3 * SECOND),
        fileProcessing: 'shared-cpu',
        relays: {bos: relay(fixed(2 * SECOND)), file: relay(fixed(ms(500))), els: relay()},
      }),
    expect: {
      naive: {outcome: 'fail-sometimes', invariants: ['ready-exactly-once', 'no-false-excess']},
      buffer: PASS,
      'partition-key': {outcome: 'fail-sometimes', invariants: ['ready-exactly-once', 'no-false-excess']},
      'relay-coordination': PASS,
    },
  },
]

export const BUILTIN_SCENARIOS: ReadonlyMap<string, ScenarioDefinition> = new Map(definitions.map((d) => [d.name, d]))

export const SCENARIO_NAMES = definitions.map((d) => d.name)
