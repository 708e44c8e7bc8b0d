import {replaySource, type ChoiceSource} from '../kernel/chooser.js'
import {chooserSource} from '../kernel/chooser-spec.js'
import {decodeSchedule} from '../kernel/schedule.js'
import {SeededRng} from '../kernel/rng.js'
import {SECOND, type Micros} from '../kernel/time.js'
import {runSimulation, type RunOptions} from '../simulated/run-simulation.js'

/**
 * The inevitability curve of a run (docs/architecture.md#the-inevitability-curve): for each
 * prefix of its schedule, the share of reruns that fail when the run makes exactly its own first
 * k choices and then draws the rest at random. Plotted against the virtual time of the first
 * choice left to chance, it shows when the outcome was sealed: the first point from which every
 * rerun fails is the moment the bug became inevitable.
 */
export interface InevitabilityPoint {
  /** Choices replayed from the run's own schedule. */
  prefix: number
  /** Virtual time (µs) of the first choice left to chance (the run's end for the whole schedule). */
  t: Micros
  runs: number
  failures: number
}

export interface InevitabilityCurve {
  /** The run's own verdict. */
  verdict: 'pass' | 'fail'
  /** Choices the run made. */
  choices: number
  trials: number
  points: InevitabilityPoint[]
  /** Virtual time (µs) from which every point failed every rerun (a failing run only; absent for a passing run). */
  inevitableAt?: Micros
  /** The prefix length of that point. */
  inevitablePrefix?: number
  /** Virtual time (µs) of the last choice that prefix replays: the choice that sealed the outcome (absent when even the empty prefix always fails). */
  decisiveAt?: Micros
}

export interface InevitabilityOptions {
  /** Reruns per prefix. */
  trials: number
  /** At most this many prefixes are rerun, spread evenly over the schedule (the first and the whole always). */
  maxPoints?: number
}

/** A source that answers the first `prefix` choices from `schedule`, then draws from `rng`; a recorded value that no longer fits is drawn too. */
function prefixThenRandom(schedule: readonly number[], prefix: number, rng: SeededRng): ChoiceSource {
  let position = 0
  return {
    next(bound) {
      const i = position++
      if (i < prefix && schedule[i] < bound) return schedule[i]
      return rng.int(0, bound - 1)
    },
  }
}

/** The seed of one rerun: fixed by the run's seed, the prefix and the trial, so a curve is reproducible. */
function rerunSeed(seed: number, prefix: number, trial: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(prefix + 1, 0x85ebca6b) ^ Math.imul(trial + 1, 0xc2b2ae35)) | 0
}

/** The prefixes to rerun: every one, or `max` of them spread evenly, 0 and the whole schedule included. */
function prefixes(choices: number, max: number): number[] {
  if (choices + 1 <= max) return Array.from({length: choices + 1}, (_, k) => k)
  const picked = new Set<number>()
  for (let i = 0; i < max; i++) picked.add(Math.round((i * choices) / (max - 1)))
  return [...picked].sort((a, b) => a - b)
}

export function inevitabilityCurve(options: RunOptions, {trials, maxPoints = 200}: InevitabilityOptions): InevitabilityCurve {
  // The run itself, timing each choice on the virtual clock.
  const times: Micros[] = []
  const base = runSimulation({
    ...options,
    source: (now) => {
      const own = options.schedule !== undefined ? replaySource(options.schedule) : chooserSource(options.chooser, options.seed)
      return {
        informed: own.informed,
        next(bound, about) {
          times.push(now())
          return own.next(bound, about)
        },
      }
    },
  })
  const schedule = decodeSchedule(base.result.schedule)
  const end = base.trace.length > 0 ? base.trace[base.trace.length - 1].t : 0
  const points = prefixes(schedule.length, maxPoints).map((prefix): InevitabilityPoint => {
    let failures = 0
    for (let trial = 0; trial < trials; trial++) {
      const rng = new SeededRng(rerunSeed(options.seed, prefix, trial))
      const rerun = runSimulation({...options, schedule: undefined, source: () => prefixThenRandom(schedule, prefix, rng)})
      if (rerun.result.verdict === 'fail') failures++
    }
    return {prefix, t: prefix < times.length ? times[prefix] : end, runs: trials, failures}
  })
  const curve: InevitabilityCurve = {verdict: base.result.verdict, choices: schedule.length, trials, points}
  if (base.result.verdict === 'fail') {
    let first = points.length
    while (first > 0 && points[first - 1].failures === points[first - 1].runs) first--
    if (first < points.length) {
      curve.inevitableAt = points[first].t
      curve.inevitablePrefix = points[first].prefix
      if (points[first].prefix > 0) curve.decisiveAt = times[points[first].prefix - 1]
    }
  }
  return curve
}

/** A curve point as seconds and a share, for views. */
export function pointShare(point: InevitabilityPoint): {seconds: number; p: number} {
  return {seconds: point.t / SECOND, p: point.runs === 0 ? 0 : point.failures / point.runs}
}
