import {MAX_DESCRIPTION} from '../sim/fixture/format/fixture.js'
import {MAX_SEED} from '../sim/kernel/seed.js'
import {MAX_READ_BYTES} from '../sim/read-text-file.js'
import {MAX_DURATION_TEXT} from '../sim/scenario/duration.js'
import {digitGroups} from '../sim/digit-groups.js'

// Help text only, from the constants that enforce the limits (so the two cannot drift apart).

/** The input limits, for the --help of every command that takes such input (see docs: README, Delays). */
export const LIMITS = {
  durations: `  durations     at most ${MAX_DURATION_TEXT}: delays, jitters, fault windows`,
  seeds: `  seeds         whole numbers 0..${MAX_SEED} (2^32 - 1)`,
  files: `  files         a fixture: a regular file of at most ${MAX_READ_BYTES / 1024 / 1024} MB`,
  descriptions: `  descriptions  a fixture's description: at most ${digitGroups(MAX_DESCRIPTION)} characters`,
}

/** The LIMITS block of a command's --help: the limits that apply to its input. */
export function limitsHelp(which: readonly (keyof typeof LIMITS)[]): string {
  return ['LIMITS (in flags and fixtures; beyond one: one line on stderr, exit 2)', ...which.map((name) => LIMITS[name])].join('\n')
}
