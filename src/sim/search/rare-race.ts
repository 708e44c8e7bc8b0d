import {parseDelaySpec, type DelaySetting} from '../scenario/delay-spec.js'

/**
 * A race whose harmful order is rare: registration-first (the happy path) with a long-tailed BOS
 * relay. BOS's relay lags 0 to 4 s, 2 s on average; the files take 3.985 to 3.99 s, 5 ms apart:
 * registration is first by a wide margin, and only a lag in the last 5 to 10 ms of BOS's 4 s lets
 * content pass it under the naive strategy, about 1 run in 1,000 drawn uniformly. It is a shape
 * over a built-in scenario, not a scenario of its own, so the scenario table (and every matrix
 * over it) stays as it is: uniform seeds would rarely show its failure in a 20-seed cell.
 */
export const RARE_RACE_DELAYS = ['bos-relay=0..4s', 'file-processing=3985ms..3990ms', 'upload-gap=5ms'] as const

export const RARE_RACE = {scenario: 'registration-first', strategy: 'naive'} as const

/** The rare race's delays as run options. */
export function rareRaceDelays(): DelaySetting[] {
  return RARE_RACE_DELAYS.map((text) => {
    const parsed = parseDelaySpec(text)
    if (!parsed.ok) throw new Error(`rare race delay ${text}: ${parsed.error}`)
    return parsed.value
  })
}

/** The rare race's flags on a command line (`--delay 'bos-relay=0..4s' ...`). */
export function rareRaceArgs(): string[] {
  return [`--scenario ${RARE_RACE.scenario}`, `--strategy ${RARE_RACE.strategy}`, ...RARE_RACE_DELAYS.map((d) => `--delay '${d}'`)]
}
