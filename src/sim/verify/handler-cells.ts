import {STRATEGIES} from '../scenario/strategy.js'
import {userConsumerArgs} from '../simulated/reproduce.js'
import type {ShapeOptions} from './run-spec.js'
import type {Expectation} from '../scenario/scenario.js'
import type {Cell} from './matrix.js'

/**
 * The matrix for a user's handler module or consumer process (docs/handlers.md#verify): the handler replaces each strategy's
 * ELS, so a strategy only brings its routing and relays, and naive and buffer become the same
 * system (kept once, as buffer). A handler declares no expectations: every cell is expected to
 * pass, unless the user said otherwise with `verify --expect` (`declared`). Each cell's shape carries the handler, so every report, JUnit case, JSON cell and
 * reproduce command names it.
 */
export function handlerCells(cells: readonly Cell[], consumer: Pick<ShapeOptions, 'handler' | 'handlerCmd'>, declared?: ReadonlyMap<string, Expectation>): Cell[] {
  const seen = new Set<string>()
  const result: Cell[] = []
  for (const cell of cells) {
    const plan = STRATEGIES[cell.strategy]
    const strategy = plan.routing === STRATEGIES.buffer.routing && plan.relays === STRATEGIES.buffer.relays ? 'buffer' : cell.strategy
    const key = JSON.stringify([cell.label, cell.scenario, strategy, cell.seedStart, cell.seeds, cell.shape.args])
    if (seen.has(key)) continue
    seen.add(key)
    result.push({
      ...cell,
      index: result.length,
      strategy,
      expectation: declared?.get(cell.scenario) ?? {outcome: 'pass'},
      shape: {options: {...cell.shape.options, ...consumer}, args: [...cell.shape.args, ...userConsumerArgs(consumer)]},
    })
  }
  return result
}
