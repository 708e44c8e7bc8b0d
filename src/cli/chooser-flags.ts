import {Flags} from '@oclif/core'

import {CHOOSER_NAMES, CHOOSERS, MAX_PCT_DEPTH, usesDepth, type ChooserName, type ChooserSpec} from '../sim/kernel/chooser-spec.js'
import {DEFAULT_PCT_DEPTH} from '../sim/kernel/pct-chooser.js'
import {InputError} from '../sim/input-error.js'

/** The CHOOSERS block of --help. */
export const CHOOSER_REFERENCE = `CHOOSERS (--chooser; each draws every choice from the seed)
${Object.entries(CHOOSERS)
  .map(([name, summary]) => `  ${name.padEnd(20)} ${summary}`)
  .join('\n')}`

/** --chooser and --depth, for the commands that draw a simulated run from a seed (run, verify). */
export const chooserFlags = {
  chooser: Flags.option({options: CHOOSER_NAMES, default: 'random' as ChooserName, summary: 'How choices are drawn from the seed (see CHOOSERS).'})(),
  depth: Flags.integer({min: 1, max: MAX_PCT_DEPTH, summary: `PCT's depth d: d−1 priority change points (default ${DEFAULT_PCT_DEPTH}).`}),
}

/** The chooser the flags select; --depth without a chooser that uses it is an InputError. */
export function chooserSpec(flags: {chooser: ChooserName; depth?: number}): ChooserSpec {
  if (flags.depth !== undefined && !usesDepth(flags.chooser)) {
    throw new InputError(`--depth ${flags.depth}: only --chooser pct or portfolio has a depth (--chooser is ${flags.chooser})`)
  }
  return {name: flags.chooser, depth: flags.depth ?? DEFAULT_PCT_DEPTH}
}
