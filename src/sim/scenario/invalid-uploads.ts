import {Chooser, seededSource} from '../kernel/chooser.js'
import {InputError} from '../input-error.js'
import {batchLayouts, type BatchLayout, type Scenario} from './scenario.js'

/** Why `invalid` cannot be placed in this scenario's batches (more than a batch uploads), or undefined. */
export function invalidCountProblem(scenario: Scenario, invalid: number): string | undefined {
  const fewest = Math.min(...batchLayouts(scenario).map((batch) => batch.files.length))
  if (invalid <= fewest) return undefined
  return `--invalid ${invalid}: more than the ${fewest} file${fewest === 1 ? '' : 's'} a batch of ${scenario.name} uploads (--essays sets them)`
}

/**
 * `--invalid N`: exactly N of each batch's uploads fail validation, at positions drawn from the
 * seed, a fresh draw per batch, so an invalid file can come first, last or anywhere between
 * (docs/domain.md#the-race: an early failure is lost under naive). It replaces the scenario's own
 * invalid files.
 *
 * The positions come from a stream of their own, a function of the seed: they are the run's
 * topology, not choices of its schedule, so a run without `--invalid` draws exactly what it drew
 * before, and a recorded fixture (whose layout lists each file's validity) replays the same
 * schedule.
 */
export function placeInvalidUploads(scenario: Scenario, invalid: number, seed: number): Scenario {
  const problem = invalidCountProblem(scenario, invalid)
  if (problem !== undefined) throw new InputError(problem)
  const chooser = new Chooser(seededSource((Math.imul(seed, 0x9e37_79b1) ^ 0x1_a5e) >>> 0))
  const layout = batchLayouts(scenario).map((batch): BatchLayout => {
    const invalidAt = drawPositions(batch.files.length, invalid, chooser)
    return {...batch, files: batch.files.map((_, f) => ({valid: !invalidAt.has(f)}))}
  })
  return {...scenario, layout, invalidFiles: []}
}

/** `count` distinct indexes of [0, size), uniformly (a partial Fisher-Yates shuffle). */
function drawPositions(size: number, count: number, chooser: Chooser): Set<number> {
  const order = Array.from({length: size}, (_, i) => i)
  for (let i = 0; i < count; i++) {
    const j = i + chooser.pick(size - i)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return new Set(order.slice(0, count))
}
