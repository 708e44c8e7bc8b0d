import {formatSeconds, type Micros} from '../kernel/time.js'
import {maxOf, type Delay} from './delay.js'
import type {RunShape} from './run-shape.js'
import {batchLayouts, type Expectation, type Scenario, type ScenarioDefinition} from './scenario.js'
import type {Strategy} from './strategy.js'

/** What shapes a cell besides its scenario (counts, delays, faults). */
export type CellShapeOptions = Omit<RunShape, 'scenario' | 'strategy' | 'seed'>

/**
 * An expectation a scenario declares for a shape: when `applies` holds of the scenario as shaped
 * (after --delay, --essays, ...), these strategies are expected to do this instead, `because`.
 */
export interface ShapedExpectation {
  applies: (scenario: Scenario, shape: CellShapeOptions) => string | undefined
  expect: Partial<Record<Strategy, Expectation>>
}

/**
 * The fix cannot survive a pending timeout shorter than every wait early content has for its
 * registration: the rows expire (reported, BATCH_NEVER_REGISTERED) before the registration
 * arrives, so the batch BOS committed never completes (docs/domain.md#the-fix; fixture 4 shows it
 * on one order). Declared only where it is certain on every seed: the shortest time BOS's relay
 * takes to deliver the registration, less the longest a valid file's content can take to reach
 * ELS, is longer than the timeout; and no fault fires (a crash or an outage can hold the content
 * back past the registration).
 */
export const EXPIRES_BEFORE_REGISTRATION: ShapedExpectation = {
  applies(scenario, shape) {
    if ((shape.faults ?? []).length > 0) return undefined
    const wait = longestCertainWait(scenario)
    if (wait === undefined || wait <= scenario.pendingTimeout) return undefined
    return `the pending timeout (${formatSeconds(scenario.pendingTimeout)}) is shorter than early content waits for its registration (at least ${formatSeconds(wait)})`
  },
  expect: {buffer: {outcome: 'fail', invariants: ['ready-exactly-once', 'no-false-excess']}},
}

/** Declared for every built-in scenario: they are all judged by the same timings. */
export const SHAPED_EXPECTATIONS: readonly ShapedExpectation[] = [EXPIRES_BEFORE_REGISTRATION]

/** The expectation of a cell: the scenario's own, unless a shaped expectation applies to its shape. */
export function cellExpectation(definition: ScenarioDefinition, strategy: Strategy, scenario: Scenario, shape: CellShapeOptions): Expectation {
  for (const rule of [...(definition.shaped ?? []), ...SHAPED_EXPECTATIONS]) {
    const override = rule.expect[strategy]
    if (override === undefined) continue
    const because = rule.applies(scenario, shape)
    if (because !== undefined) return {...override, because}
  }
  return definition.expect[strategy]
}

/**
 * The longest certain wait of a valid file's content in the buffer, over every batch: from the
 * latest it can reach ELS to the earliest its batch's registration can. Undefined when no content
 * can be early for sure. Both times count from the registration's commit (uploads start after it).
 */
function longestCertainWait(scenario: Scenario): Micros | undefined {
  const layouts = batchLayouts(scenario)
  const files = layouts.reduce((sum, batch) => sum + batch.files.length, 0)
  const {bos, file} = scenario.relays
  const registrationAt = minOf(bos.publishDelay) + minOf(scenario.kafkaLatency)
  // Every message ELS may have to handle before this one, one at a time.
  const queue = files * maxOf(scenario.elsHandling)
  const filePoll = file.wake ? 0 : Math.max(file.pollInterval, 1_000_000)
  let longest: Micros | undefined
  for (const batch of layouts) {
    if (batch.registered === false) continue
    let uploadedBy = 0
    batch.files.forEach((f, index) => {
      uploadedBy += maxOf(scenario.uploadGap)
      if (!f.valid) return
      const arrives = uploadedBy + maxOf(scenario.processing(index)) + filePoll + maxOf(file.publishDelay) + maxOf(scenario.kafkaLatency) + queue
      const wait = registrationAt - arrives
      if (wait > 0 && (longest === undefined || wait > longest)) longest = wait
    })
  }
  return longest
}

function minOf(delay: Delay): Micros {
  switch (delay.kind) {
    case 'fixed':
      return delay.value
    case 'range':
      return delay.min
    case 'one-of':
      return Math.min(...delay.values)
  }
}
