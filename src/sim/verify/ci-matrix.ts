import {SCENARIO_NAMES} from '../scenario/builtin-scenarios.js'
import {STRATEGY_NAMES} from '../scenario/strategy.js'
import {MULTI_BATCH, type MatrixSpec} from './matrix.js'

/**
 * Every fault the simulator injects, at its default chance, with a broker outage mid-run. Publish
 * errors at 2%: often enough that rows are retried, rare enough that no row of the fix runs out
 * of its 5 retries (2%^5 per row; at 10% some would, and outbox-drained would rightly say so).
 */
export const CI_FAULTS = [
  'relay-crash-after-publish',
  'consumer-crash-before-commit',
  'els-restart',
  'register-db-error',
  'broker-unavailable=1s..2s',
  'crash=all',
  'publish-error@2%',
]

/**
 * `racelab verify --ci`: the smoke check that gates the buffer fix, small enough for every CI run
 * (about 2,370 runs, a few seconds on 2 cores). First every scenario × every strategy over 20
 * seeds, which also proves the harness still reproduces the race (naive and partition-key must
 * fail where declared); then the fix under every fault with 3 ELS instances, over 100 seeds of
 * every scenario.
 */
export const CI_MATRIX: readonly MatrixSpec[] = [
  {scenarios: SCENARIO_NAMES, strategies: STRATEGY_NAMES, seedStart: 1, seeds: 20, shape: {'els-instances': 1}},
  {
    label: 'every fault, 3 ELS instances',
    scenarios: SCENARIO_NAMES,
    strategies: ['buffer'],
    seedStart: 1,
    seeds: 100,
    shape: {fault: CI_FAULTS, 'els-instances': 3},
  },
  // Shapes that reach every branch: batches in flight together, an invalid upload anywhere in
  // the order, and a batch past one relay poll and one drain (RELAY_BATCH_SIZE, 100 rows): a drain
  // capped at 100 fails there. large-batch is left out of the multi-batch blocks: 3 × 25 essays
  // costs a third of them and reaches no branch 3 × 2 does not.
  {label: `${MULTI_BATCH} batches`, scenarios: without('large-batch'), strategies: STRATEGY_NAMES, seedStart: 1, seeds: 10, shape: {batches: MULTI_BATCH, 'els-instances': 1}},
  {
    label: `${MULTI_BATCH} batches, 1 invalid`,
    scenarios: without('large-batch'),
    strategies: ['buffer'],
    seedStart: 1,
    seeds: 20,
    shape: {batches: MULTI_BATCH, invalid: 1, 'els-instances': 1},
  },
  {label: '150 essays', scenarios: ['content-first', 'never-registered'], strategies: ['buffer'], seedStart: 1, seeds: 5, shape: {essays: 150, 'els-instances': 1}},
  // Excess found by a drain: true-excess's extra file committed before its registration, so the
  // registration drains one content more than it has slots (the drain's excess branch, and the
  // `reconciled{outcome="excess"}` metric, which no other block reaches).
  {label: 'excess before registration', scenarios: ['true-excess'], strategies: ['buffer'], seedStart: 1, seeds: 20, shape: {delay: ['bos-relay=2s'], 'els-instances': 1}},
]

function without(...names: string[]): string[] {
  return SCENARIO_NAMES.filter((name) => !names.includes(name))
}

/** The matrix in words for `--help`: a line per block, its shaping flags wrapped below it. */
export function describeMatrix(specs: readonly MatrixSpec[], width = 76): string[] {
  return specs.flatMap((spec) => {
    const left = SCENARIO_NAMES.filter((name) => !spec.scenarios.includes(name))
    const scenarios = left.length === 0 ? 'every scenario' : left.length <= 2 ? `every scenario but ${left.join(', ')}` : spec.scenarios.join(', ')
    const strategies = spec.strategies.length === STRATEGY_NAMES.length ? 'every strategy' : spec.strategies.join(', ')
    const label = spec.label ? ` (${spec.label})` : ''
    const cells = `${scenarios} × ${strategies} × seeds ${spec.seedStart}..${spec.seedStart + spec.seeds - 1}`
    // A label that does not fit goes on a line of its own, as the flags do.
    const head = cells.length + label.length <= width ? `${cells}${label}` : cells
    const labelLine = head === cells && label !== '' ? [`    ${label.trim()}`] : []
    const args = [
      ...(spec.shape.essays === undefined ? [] : [`--essays ${spec.shape.essays}`]),
      ...(spec.shape.batches === undefined ? [] : [`--batches ${spec.shape.batches}`]),
      ...(spec.shape.invalid === undefined ? [] : [`--invalid ${spec.shape.invalid}`]),
      ...(spec.shape.delay ?? []).map((d) => `--delay ${d}`),
      ...(spec.shape.fault ?? []).map((f) => `--fault ${f}`),
      ...(spec.shape.wake ?? []).map((w) => `--wake ${w}`),
      ...(spec.shape['els-instances'] === 1 ? [] : [`--els-instances ${spec.shape['els-instances']}`]),
    ]
    const lines = [head, ...labelLine]
    for (const arg of args) {
      const last = lines.length - 1
      if (last > 0 && lines[last].length + 1 + arg.length <= width) lines[last] += ` ${arg}`
      else lines.push(`    ${arg}`)
    }
    return lines
  })
}
