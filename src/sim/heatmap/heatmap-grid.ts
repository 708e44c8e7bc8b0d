import {InputError} from '../input-error.js'
import {ms, SECOND, type Micros} from '../kernel/time.js'
import {formatDuration, parseDuration} from '../scenario/duration.js'
import type {Strategy} from '../scenario/strategy.js'
import type {MatrixSpec} from '../verify/matrix.js'
import type {VerifyOutcome} from '../verify/verify-matrix.js'

/**
 * `racelab heatmap`: the failure rate of each strategy over a grid of relay skew (BOS's relay
 * delay minus the File Service's) × batch size, each cell a range of seeded runs
 * (docs/domain.md#file-processing-on-one-cpu explains what it shows for batch-upload).
 */
export interface HeatmapGrid {
  scenario: string
  strategies: readonly Strategy[]
  /** BOS's relay delay minus the File Service's, per column. */
  skews: readonly Micros[]
  /** Essays per batch, per row. */
  sizes: readonly number[]
  seedStart: number
  seeds: number
  /** The relay delay of the service that is not behind (the real debug test's File Service: 0.5 s). */
  baseDelay: Micros
}

/** The columns by default: the real skews (0, 0.5, 1, 2 s), the debug test's 1.5 s, and one with the File Service behind. */
export const DEFAULT_SKEWS: readonly Micros[] = [-ms(500), 0, ms(500), SECOND, ms(1500), 2 * SECOND]
/** The rows by default: the failing end-to-end test's 2 essays up to the 25 that failed far less often. */
export const DEFAULT_SIZES: readonly number[] = [2, 3, 5, 10, 25]
export const DEFAULT_BASE_DELAY: Micros = ms(500)
export const DEFAULT_HEATMAP_SEEDS = 50

/** One cell: a strategy at one skew and batch size. */
export interface HeatmapCell {
  strategy: Strategy
  essays: number
  /** In seconds (negative: the File Service's relay is the one behind). */
  skew: number
  bosRelay: string
  fileRelay: string
  runs: number
  failures: number
  /** failures / runs. */
  rate: number
  /** Reproduces the cell's first failing seed. */
  reproduce?: string
}

export interface HeatmapJson {
  scenario: string
  seedStart: number
  seeds: number
  strategies: Strategy[]
  /** Column skews in seconds. */
  skews: number[]
  sizes: number[]
  cells: HeatmapCell[]
}

/** The two relay delays of a skew: the service behind gets the base delay plus the skew. */
export function relayDelays(skew: Micros, base: Micros): {bos: Micros; file: Micros} {
  return {bos: base + Math.max(0, skew), file: base + Math.max(0, -skew)}
}

/** A signed skew as written on the command line: `1.5s`, `-500ms`, `0`. */
export function parseSkew(text: string): Micros {
  const negative = text.trim().startsWith('-')
  const parsed = parseDuration(negative ? text.trim().slice(1) : text)
  if (!parsed.ok) throw new InputError(`--skews: ${parsed.error}`)
  return negative ? -parsed.value : parsed.value
}

/** The shape flags of one grid point, as a verify block takes them: the batch size and both relay delays. */
function shapeOf(grid: HeatmapGrid, skew: Micros, essays: number): MatrixSpec['shape'] {
  const {bos, file} = relayDelays(skew, grid.baseDelay)
  return {essays, delay: [`bos-relay=${formatDuration(bos)}`, `file-relay=${formatDuration(file)}`], 'els-instances': 1}
}

/** One verify block per grid point (row by row), so the grid runs on verify's worker pool. */
export function heatmapSpecs(grid: HeatmapGrid): MatrixSpec[] {
  return grid.sizes.flatMap((essays) =>
    grid.skews.map((skew) => ({scenarios: [grid.scenario], strategies: grid.strategies, seedStart: grid.seedStart, seeds: grid.seeds, shape: shapeOf(grid, skew, essays)})),
  )
}

/** The grid's cells from the verify outcome of `heatmapSpecs(grid)` (cells come back in block order, strategies within). */
export function heatmapResult(grid: HeatmapGrid, outcome: Pick<VerifyOutcome, 'results'>): HeatmapJson {
  const points = grid.sizes.flatMap((essays) => grid.skews.map((skew) => ({essays, skew})))
  const cells = outcome.results.map((result, i): HeatmapCell => {
    const {essays, skew} = points[Math.floor(i / grid.strategies.length)]
    const {bos, file} = relayDelays(skew, grid.baseDelay)
    if (result.cell.strategy !== grid.strategies[i % grid.strategies.length]) throw new Error(`heatmap cell ${i} is ${result.cell.strategy}, out of order`)
    return {
      strategy: result.cell.strategy,
      essays,
      skew: skew / SECOND,
      bosRelay: formatDuration(bos),
      fileRelay: formatDuration(file),
      runs: result.tally.runs,
      failures: result.tally.failures,
      rate: result.tally.runs === 0 ? 0 : result.tally.failures / result.tally.runs,
      ...(result.reproduce === undefined ? {} : {reproduce: result.reproduce}),
    }
  })
  return {
    scenario: grid.scenario,
    seedStart: grid.seedStart,
    seeds: grid.seeds,
    strategies: [...grid.strategies],
    skews: grid.skews.map((s) => s / SECOND),
    sizes: [...grid.sizes],
    cells,
  }
}
