import type {InvariantName} from '../check/invariant.js'
import type {Chooser} from '../kernel/chooser.js'
import type {Micros} from '../kernel/time.js'
import type {ServiceName} from '../sqlite/service-db.js'
import type {Delay} from './delay.js'
import type {ShapedExpectation} from './shaped-expectation.js'
import type {Strategy} from './strategy.js'

export interface RelaySettings {
  /** Extra wait after a relay finds rows, before it publishes (drawn per batch of rows). */
  publishDelay: Delay
  pollInterval: Micros
  wake: boolean
}

/**
 * A fully resolved scenario: the topology and every timing the simulation draws from. Built-in
 * scenarios are functions of the chooser, so run-level parameters (a relay's skew in `random`)
 * are drawn once, from the seed, and recorded in the schedule like every other choice.
 */
export interface Scenario {
  name: string
  batches: number
  essays: number
  /** Files per batch: `essays` plus this many (negative: fewer files than essays). */
  extraFiles: number
  /** 0-based indexes of files in each batch whose text fails validation. */
  invalidFiles: readonly number[]
  /** The last this many batches are never registered at BOS, though their files are uploaded (see BatchLayout). */
  neverRegistered?: number
  /** Processing time of the file at `fileIndex` (File Service extraction + validation), on a CPU of its own. */
  processing: (fileIndex: number) => Delay
  /**
   * How the File Service's files in flight share its CPU (docs/domain.md#file-processing-on-one-cpu).
   * Absent: each file takes its processing time whatever else is processed (every file has a
   * core of its own). `shared-cpu`: the files in flight share one CPU, each at 1/n of full speed
   * while n are in flight, as the real File Service's one event loop processes a batch's files.
   */
  fileProcessing?: 'shared-cpu'
  relays: Record<ServiceName, RelaySettings>
  /** Broker latency: from append to ack, and from append to visible to consumers. */
  kafkaLatency: Delay
  /** ELS's handling time per message. */
  elsHandling: Delay
  /** Client time between batch registrations. */
  batchGap: Delay
  /** Client time from a registration's success to its first upload, and between uploads. */
  uploadGap: Delay
  /** Buffered events older than this expire (real system: 24 h). */
  pendingTimeout: Micros
  /** Partitions per topic (real topics: 3). */
  partitions: number
  /**
   * An explicit layout per batch (fixtures): when set it replaces batches/essays/extraFiles/
   * invalidFiles. File ids are `f1`, `f2`, ... within each batch, in this order.
   */
  layout?: readonly BatchLayout[]
}

export interface BatchLayout {
  essays: number
  files: readonly {valid: boolean}[]
  /**
   * false: the client never completes the batch's registration at BOS, yet uploads its files
   * (docs/domain.md#the-fix: content for a batch that is never registered must expire, reported).
   * Absent means registered.
   */
  registered?: false
}

/** The batches a scenario runs, explicit or derived from its counts. */
export function batchLayouts(scenario: Scenario): readonly BatchLayout[] {
  if (scenario.layout) return scenario.layout
  const fileCount = Math.max(0, scenario.essays + scenario.extraFiles)
  const files = Array.from({length: fileCount}, (_, f) => ({valid: !scenario.invalidFiles.includes(f)}))
  const registeredBatches = scenario.batches - (scenario.neverRegistered ?? 0)
  return Array.from({length: scenario.batches}, (_, b) =>
    b < registeredBatches ? {essays: scenario.essays, files} : {essays: scenario.essays, files, registered: false as const},
  )
}

export interface Topology {
  batches?: number
  essays?: number
}

/**
 * What a strategy is expected to do in a scenario, over many seeds: hold every invariant, fail
 * on every seed, or fail on some seeds (a harness that cannot reproduce the bug proves nothing).
 */
export type Expectation = (
  | {outcome: 'pass'}
  | {outcome: 'fail' | 'fail-sometimes'; invariants: readonly InvariantName[]}
) & {
  /** Set when the expectation was declared for a shape (a scenario's rule, or `verify --expect`): why. */
  because?: string
}

export interface ScenarioDefinition {
  name: string
  /** One line for `--help` and listings. */
  summary: string
  build: (chooser: Chooser, topology: Topology) => Scenario
  expect: Record<Strategy, Expectation>
  /** Expectations this scenario declares for shapes of it (besides SHAPED_EXPECTATIONS, which hold for all). */
  shaped?: readonly ShapedExpectation[]
}
