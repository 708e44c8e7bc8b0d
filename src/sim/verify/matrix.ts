import type {InvariantName} from '../check/invariant.js'
import {InputError} from '../input-error.js'
import {invalidCountProblem} from '../scenario/invalid-uploads.js'
import {shapedScenario} from '../scenario/shaped-scenario.js'
import {cellExpectation} from '../scenario/shaped-expectation.js'
import {MAX_SEED, MIN_SEED} from '../kernel/seed.js'
import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../scenario/builtin-scenarios.js'
import type {SpecParse} from '../scenario/delay-spec.js'
import type {Expectation} from '../scenario/scenario.js'
import {STRATEGY_NAMES, type Strategy} from '../scenario/strategy.js'
import type {ShapeSpec} from '../scenario/shape-spec.js'
import type {ShapeOptions} from './run-spec.js'

/** Seeds per cell when `--seeds` is not given. */
export const DEFAULT_SEEDS = 200

/** A block of the matrix: every scenario × every strategy, over the same seeds and shape. */
export interface MatrixSpec {
  /** Names the block when a matrix has several (shown next to the strategy). */
  label?: string
  scenarios: readonly string[]
  strategies: readonly Strategy[]
  seedStart: number
  seeds: number
  shape: ShapeSpec
}

/** A shape resolved twice: as run options, and as the flags that reproduce it. */
export interface CellShape {
  options: ShapeOptions
  args: readonly string[]
}

/** One scenario × strategy over a range of seeds: the unit the report, JSON and JUnit speak of. */
export interface Cell {
  index: number
  scenario: string
  strategy: Strategy
  label?: string
  expectation: Expectation
  seedStart: number
  seeds: number
  shape: CellShape
}

/** The cells of a matrix, block by block, scenarios in the order given, strategies within them. */
export function buildCells(
  specs: readonly MatrixSpec[],
  resolveShape: (shape: ShapeSpec) => CellShape,
  /** `verify --expect`: what the user declares per scenario, over the scenario's own. */
  declared?: ReadonlyMap<string, Expectation>,
): Cell[] {
  const cells: Cell[] = []
  for (const spec of specs) {
    const shape = resolveShape(spec.shape)
    for (const scenario of spec.scenarios) {
      const definition = BUILTIN_SCENARIOS.get(scenario)
      if (!definition) throw new Error(`unknown scenario "${scenario}"`)
      const shaped = shapedScenario(definition, shape.options)
      const invalid = shape.options.invalid
      const problem = invalid === undefined ? undefined : invalidCountProblem(shaped, invalid)
      if (problem !== undefined) throw new InputError(problem)
      for (const strategy of spec.strategies) {
        cells.push({
          index: cells.length,
          scenario,
          strategy,
          label: spec.label,
          expectation: declared?.get(scenario) ?? cellExpectation(definition, strategy, shaped, shape.options),
          seedStart: spec.seedStart,
          seeds: spec.seeds,
          shape,
        })
      }
    }
  }
  return cells
}

/** The invariants a failing run must violate to count as the failure the cell expects. */
export function namedInvariants(expectation: Expectation): readonly InvariantName[] {
  return expectation.outcome === 'pass' ? [] : expectation.invariants
}

/**
 * Narrows a list of known names to the requested ones (`--scenario a,b --scenario c`), in the
 * known order, each once; nothing requested means all of them.
 */
export function selectNames<T extends string>(kind: string, known: readonly T[], requested: readonly string[] | undefined): SpecParse<T[]> {
  if (requested === undefined || requested.length === 0) return {ok: true, value: [...known]}
  const wanted = new Set<string>()
  for (const item of requested.flatMap((r) => r.split(','))) {
    const name = item.trim()
    if (name === '') return {ok: false, error: `an empty ${kind} name in "${requested.join(',')}"`}
    if (!(known as readonly string[]).includes(name)) return {ok: false, error: `unknown ${kind} "${name}" (known: ${known.join(', ')})`}
    wanted.add(name)
  }
  return {ok: true, value: known.filter((name) => wanted.has(name))}
}

export interface Selection {
  scenarios?: readonly string[]
  strategies?: readonly string[]
  seedStart?: number
  seeds?: number
  shape: ShapeSpec
}

/**
 * The one-block matrix a user asked for (errors name the flag): by default every scenario × every
 * strategy × 200 seeds from seed 1.
 */
export function selectMatrix(selection: Selection): SpecParse<MatrixSpec> {
  const scenarios = selectNames('scenario', SCENARIO_NAMES, selection.scenarios)
  if (!scenarios.ok) return {ok: false, error: `--scenario: ${scenarios.error}`}
  const strategies = selectNames('strategy', STRATEGY_NAMES, selection.strategies)
  if (!strategies.ok) return {ok: false, error: `--strategy: ${strategies.error}`}
  const seeds = selection.seeds ?? DEFAULT_SEEDS
  const seedStart = selection.seedStart ?? 1
  if (!Number.isInteger(seeds) || seeds < 1) return {ok: false, error: `--seeds ${seeds}: at least 1 seed per cell`}
  if (!Number.isInteger(seedStart) || seedStart < MIN_SEED || seedStart > MAX_SEED) {
    return {ok: false, error: `--seed-start ${seedStart}: a seed is from ${MIN_SEED} to ${MAX_SEED}`}
  }
  if (seedStart + seeds - 1 > MAX_SEED) {
    return {ok: false, error: `--seed-start ${seedStart} --seeds ${seeds}: the last seed would be ${seedStart + seeds - 1}, past ${MAX_SEED} (seeds are ${MIN_SEED} to ${MAX_SEED})`}
  }
  return {ok: true, value: {scenarios: scenarios.value, strategies: strategies.value, seedStart, seeds, shape: selection.shape}}
}

/** Batches in flight at once in the blocks that add them (a user matrix without shaping flags, --ci). */
export const MULTI_BATCH = 3

/**
 * The blocks a user's matrix runs: as asked, and, when no shaping flag chose the topology, the
 * same cells again with MULTI_BATCH batches in flight (one batch per cell hides every bug of one
 * batch's events meeting another's).
 */
export function userBlocks(spec: MatrixSpec): MatrixSpec[] {
  const {essays, batches, invalid, delay, fault, wake} = spec.shape
  const shaped = essays !== undefined || batches !== undefined || invalid !== undefined || [delay, fault, wake].some((l) => (l ?? []).length > 0) || spec.shape['els-instances'] !== 1
  if (shaped) return [spec]
  return [spec, {...spec, label: `${MULTI_BATCH} batches`, shape: {...spec.shape, batches: MULTI_BATCH}}]
}

export function totalRuns(cells: readonly Cell[]): number {
  return cells.reduce((sum, cell) => sum + cell.seeds, 0)
}
