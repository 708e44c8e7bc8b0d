import type {ChoiceAbout, ChoiceSource} from './chooser.js'
import {delayOption, drawPriority, highest, PRIORITY_LATE, scrambleSeed} from './priority.js'
import {SeededRng} from './rng.js'

/** PCT's depth when `--depth` is not given: finds every bug that needs up to 2 ordering flips. */
export const DEFAULT_PCT_DEPTH = 3

/**
 * The scheduling choices among which PCT's change points fall. Burckhardt et al. draw them over
 * the run's length k; a run's length is not known in advance, and racelab's small scenarios make
 * 20 to 200 scheduling choices, so the points are drawn in the first 100.
 */
export const PCT_HORIZON = 100

/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
 * 2010), over racelab's choices (docs/architecture.md#choosers). Every actor gets a random
 * priority the first time it appears: a partition at ELS's fetch, a step tied with others, and the
 * owner of each delay (a relay, the broker, the File Service's processing, ELS's handling). An
 * order choice goes to the highest priority; a delay is short for an actor above PRIORITY_LATE and
 * as long as its range allows below it (in virtual time, being late is what a low priority means).
 * d−1 change points, drawn among the first PCT_HORIZON scheduling choices, each drop the actor
 * chosen there below every other (the i-th to priority i−d), so it is late from then on. Fault and
 * scenario draws stay uniform, from the same seeded stream.
 */
export function pctSource(seed: number, depth: number): ChoiceSource {
  const rng = new SeededRng(scrambleSeed(seed))
  const changePoints = new Map<number, number>()
  for (let i = 1; i < depth; i++) changePoints.set(rng.int(1, PCT_HORIZON), i)
  const priorities = new Map<string, number>()
  const priorityOf = (actor: string): number => {
    let priority = priorities.get(actor)
    if (priority === undefined) {
      priority = drawPriority(rng)
      priorities.set(actor, priority)
    }
    return priority
  }
  let scheduled = 0
  /** Counts a scheduling choice; at a change point the actor drops below every initial priority. */
  const step = (actor: string): void => {
    const point = changePoints.get(++scheduled)
    if (point !== undefined) priorities.set(actor, point - depth)
  }
  return {
    informed: true,
    next(bound: number, about?: ChoiceAbout): number {
      if (!about || about.kind === 'chance') return rng.int(0, bound - 1)
      if (about.kind === 'order') {
        const chosen = highest(about.actors.map(priorityOf))
        step(about.actors[chosen])
        return chosen
      }
      priorityOf(about.site)
      step(about.site)
      return delayOption(bound, about.values, priorityOf(about.site) < PRIORITY_LATE)
    },
  }
}
