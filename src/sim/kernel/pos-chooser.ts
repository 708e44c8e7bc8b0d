import type {ChoiceAbout, ChoiceSource} from './chooser.js'
import {delayOption, drawPriority, highest, PRIORITY_LATE, scrambleSeed} from './priority.js'
import {SeededRng} from './rng.js'

/**
 * POS, partial order sampling (Yuan, Yang, Gu, CAV 2018), over racelab's choices
 * (docs/architecture.md#choosers). Every event gets a random priority when it first becomes a
 * choice: a message at the head of its partition at ELS's fetch, a step tied with others. An order
 * choice runs the highest; the events that raced with it (the other options of that choice) draw
 * new priorities, which is what spreads POS over the partial orders rather than over the
 * interleavings. A delay is an event of its own: a fresh priority decides whether it is short
 * (above PRIORITY_LATE) or as long as its range allows. Fault and scenario draws stay uniform.
 */
export function posSource(seed: number): ChoiceSource {
  const rng = new SeededRng(scrambleSeed(seed))
  const priorities = new Map<string, number>()
  const priorityOf = (event: string): number => {
    let priority = priorities.get(event)
    if (priority === undefined) {
      priority = drawPriority(rng)
      priorities.set(event, priority)
    }
    return priority
  }
  return {
    informed: true,
    next(bound: number, about?: ChoiceAbout): number {
      if (!about || about.kind === 'chance') return rng.int(0, bound - 1)
      if (about.kind === 'delay') return delayOption(bound, about.values, drawPriority(rng) < PRIORITY_LATE)
      const chosen = highest(about.events.map(priorityOf))
      // The chosen event ran (a redelivered message is a new event); the others raced with it.
      priorities.delete(about.events[chosen])
      for (let i = 0; i < about.events.length; i++) if (i !== chosen) priorities.set(about.events[i], drawPriority(rng))
      return chosen
    },
  }
}
