import {chooserArgs, type ChooserSpec} from '../sim/kernel/chooser-spec.js'
import type {Expectation} from '../sim/scenario/scenario.js'
import {buildCells, type Cell, type MatrixSpec} from '../sim/verify/matrix.js'
import {shapeArgs, shapeOptions} from './sim-flags.js'

/**
 * What a verify runs, as data: the matrix's blocks as the flags (or --ci) gave them, and the
 * chooser. A shard's --json carries it, so racelab merge rebuilds the very same cells.
 */
export interface VerifyMatrixDescription {
  specs: MatrixSpec[]
  chooser: ChooserSpec
}

/** The cells of a verify: every block's shape resolved as run options and as reproduce flags; `declared`: --expect. */
export function verifyCells({specs, chooser}: VerifyMatrixDescription, declared?: ReadonlyMap<string, Expectation>): Cell[] {
  return buildCells(
    specs,
    (shape) => ({
      options: {...shapeOptions(shape), chooser},
      args: [...shapeArgs(shape), ...chooserArgs(chooser)],
    }),
    declared,
  )
}
