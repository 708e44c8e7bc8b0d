import {seededSource, type ChoiceSource} from './chooser.js'
import {DEFAULT_PCT_DEPTH, pctSource} from './pct-chooser.js'
import {portfolioSource} from './portfolio-chooser.js'
import {posSource} from './pos-chooser.js'

export const CHOOSER_NAMES = ['random', 'pct', 'pos', 'portfolio'] as const
export type ChooserName = (typeof CHOOSER_NAMES)[number]

/** The deepest PCT racelab runs: d−1 change points among PCT_HORIZON choices. */
export const MAX_PCT_DEPTH = 20

export const CHOOSERS: Record<ChooserName, string> = {
  random: 'uniform: every choice drawn from the seed (the default)',
  pct: 'PCT: actors by random priority, d−1 change points (--depth d)',
  pos: 'POS: events by random priority, redrawn for those that raced',
  portfolio: 'seed by seed in turn: random, PCT, POS',
}

/** Which chooser draws a run's choices from its seed. */
export interface ChooserSpec {
  name: ChooserName
  /** PCT's depth d (pct and portfolio); ignored otherwise. */
  depth: number
}

export const RANDOM_CHOOSER: ChooserSpec = {name: 'random', depth: DEFAULT_PCT_DEPTH}

/** The source of a run's choices for a seed. */
export function chooserSource(spec: ChooserSpec | undefined, seed: number): ChoiceSource {
  switch (spec?.name ?? 'random') {
    case 'random':
      return seededSource(seed)
    case 'pct':
      return pctSource(seed, spec!.depth)
    case 'pos':
      return posSource(seed)
    case 'portfolio':
      return portfolioSource(seed, spec!.depth)
  }
}

/** Whether `--depth` means something for this chooser. */
export function usesDepth(name: ChooserName): boolean {
  return name === 'pct' || name === 'portfolio'
}

/** `pct(d=3)`, `pos`, `random`: the chooser as reports name it. */
export function describeChooser(spec: ChooserSpec | undefined): string {
  const s = spec ?? RANDOM_CHOOSER
  return usesDepth(s.name) ? `${s.name}(d=${s.depth})` : s.name
}

/** The flags that select this chooser on a command line; none for the default. */
export function chooserArgs(spec: ChooserSpec | undefined): string[] {
  if (!spec || spec.name === 'random') return []
  return usesDepth(spec.name) ? [`--chooser ${spec.name}`, `--depth ${spec.depth}`] : [`--chooser ${spec.name}`]
}
