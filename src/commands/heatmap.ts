import {availableParallelism} from 'node:os'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exitCodesHelp} from '../cli/exit-codes-help.js'
import {forceFlag} from '../cli/shared-flags.js'
import {verifyCells} from '../cli/verify-cells.js'
import {ensureWritableFile} from '../cli/writable-path.js'
import {HEATMAP_HTML_HEAD, HEATMAP_SVG_HEAD} from '../export/heatmap-svg.js'
import {DEFAULT_BASE_DELAY, DEFAULT_HEATMAP_SEEDS, DEFAULT_SIZES, DEFAULT_SKEWS, heatmapResult, heatmapSpecs, parseSkew, type HeatmapJson} from '../sim/heatmap/heatmap-grid.js'
import {InputError} from '../sim/input-error.js'
import {MAX_SEED, MIN_SEED} from '../sim/kernel/seed.js'
import {RANDOM_CHOOSER} from '../sim/kernel/chooser-spec.js'
import {SCENARIO_NAMES} from '../sim/scenario/builtin-scenarios.js'
import {formatDuration} from '../sim/scenario/duration.js'
import {STRATEGY_NAMES, type Strategy} from '../sim/scenario/strategy.js'
import {selectNames} from '../sim/verify/matrix.js'
import {digitGroups} from '../sim/digit-groups.js'

export type HeatmapCommandJson = HeatmapJson & {out: string}

export default class Heatmap extends BaseCommand {
  static override summary = 'Draw the failure rate per strategy over relay skew × batch size (SVG or HTML)'

  static override description = `Runs a grid of seeded runs on verify's worker pool and draws the share of seeds that fail, one panel per strategy: a column per relay skew (BOS's relay delay minus the File Service's), a row per batch size. The relay that is not behind keeps the real File Service's 0.5 s; the one behind gets 0.5 s plus the skew. Every cell is a verify cell (--scenario, --essays N, --delay bos-relay=..., --delay file-relay=..., seeds --seed-start..), so its number is what those runs give, and hovering over it shows the command that reproduces its first failing seed.

The default scenario, batch-upload, processes a batch's files on the File Service's one CPU, as the real service does (docs/domain.md, "File processing on one CPU"): under naive, 2-essay batches fail far more often than 25-essay batches at the same skew, and under buffer the map is clean. --scenario large-batch draws the same grid with every file on a core of its own, where larger batches fail more.

--out FILE.svg writes the SVG alone (valid XML); FILE.html a page with the SVG inline and a table of every cell. A negative skew is written --skews=-500ms,0,1s (the File Service's relay behind).

${exitCodesHelp({0: 'the map is written (failing cells are the picture, not an error)'})}`

  static override examples = [
    {description: 'The real system’s picture: naive and buffer, 50 seeds per cell', command: '<%= config.bin %> heatmap --out docs/images/heatmap.svg'},
    {description: 'Every strategy, a finer grid, as a page', command: '<%= config.bin %> heatmap --strategy naive,buffer,partition-key,relay-coordination --skews=0,250ms,500ms,1s,1.5s,2s --sizes 2,5,25 --out heatmap.html'},
    {description: 'The same grid with every file on a core of its own', command: '<%= config.bin %> heatmap --scenario large-batch --strategy naive --out large-batch.svg'},
  ]

  static override flags = {
    out: Flags.string({required: true, summary: 'The file to write: .svg (the map alone) or .html (a page with the map and a table); replaces a map racelab wrote.'}),
    scenario: Flags.option({options: SCENARIO_NAMES, default: 'batch-upload', summary: 'Built-in scenario every cell runs.'})(),
    strategy: Flags.string({multiple: true, delimiter: ',', summary: 'Strategies, one panel each (repeatable or comma-separated; default naive,buffer).'}),
    seeds: Flags.integer({min: 1, max: 100_000, summary: `Seeds per cell (default ${DEFAULT_HEATMAP_SEEDS}).`}),
    'seed-start': Flags.integer({min: MIN_SEED, max: MAX_SEED, summary: 'First seed (default 1).'}),
    skews: Flags.string({multiple: true, delimiter: ',', summary: `Relay skews, one column each (default ${DEFAULT_SKEWS.map(signed).join(',')}).`}),
    sizes: Flags.integer({multiple: true, delimiter: ',', min: 1, max: 1000, summary: `Essays per batch, one row each (default ${DEFAULT_SIZES.join(',')}).`}),
    workers: Flags.integer({min: 1, max: 256, summary: 'Worker threads (default: available cores; 1 runs in process).'}),
    force: forceFlag('Replace an existing --out FILE that is not a racelab heatmap (never a symlink, directory or device).', 'out'),
  }

  async run(): Promise<HeatmapCommandJson> {
    const {flags} = await this.parse(Heatmap)
    const format = /\.svg$/i.test(flags.out) ? 'svg' : /\.html?$/i.test(flags.out) ? 'html' : undefined
    if (format === undefined) throw new InputError(`--out ${flags.out}: the file name ends in .svg or .html`)
    const strategies = selectNames('strategy', STRATEGY_NAMES, flags.strategy ?? ['naive', 'buffer'])
    if (!strategies.ok) throw new InputError(`--strategy: ${strategies.error}`)
    const skews = flags.skews === undefined ? DEFAULT_SKEWS : unique('--skews', flags.skews.map(parseSkew), signed)
    const sizes = flags.sizes === undefined ? DEFAULT_SIZES : unique('--sizes', flags.sizes, String)
    const seeds = flags.seeds ?? DEFAULT_HEATMAP_SEEDS
    const seedStart = flags['seed-start'] ?? 1
    if (seedStart + seeds - 1 > MAX_SEED) throw new InputError(`--seed-start ${seedStart} --seeds ${seeds}: the last seed would be past ${MAX_SEED}`)
    const out = ensureWritableFile('--out', flags.out, {force: flags.force, ours: (head) => head.startsWith(HEATMAP_SVG_HEAD) || head.startsWith(HEATMAP_HTML_HEAD)})
    const grid = {scenario: flags.scenario, strategies: strategies.value as Strategy[], skews: [...skews].sort((a, b) => a - b), sizes: [...sizes].sort((a, b) => a - b), seedStart, seeds, baseDelay: DEFAULT_BASE_DELAY}
    const [{verifyMatrix}, {formatProgress}, {writeFileSafely}] = await Promise.all([
      import('../sim/verify/verify-matrix.js'),
      import('../sim/verify/progress.js'),
      import('../sim/files/safe-write.js'),
    ])
    const cells = verifyCells({specs: heatmapSpecs(grid), chooser: RANDOM_CHOOSER})
    const progress = this.jsonEnabled() || !process.stderr.isTTY ? undefined : process.stderr
    const outcome = await verifyMatrix(cells, {
      workers: flags.workers ?? availableParallelism(),
      shrink: false,
      onProgress: progress && ((p) => progress.write(`\r${formatProgress(p)}\u001B[K`)),
    })
    progress?.write('\r\u001B[K')
    const map = heatmapResult(grid, outcome)
    const command = heatmapCommand(flags.scenario, grid.strategies, grid.skews, grid.sizes, seeds, seedStart)
    if (format === 'svg') writeFileSafely(out, (await import('../export/heatmap-svg.js')).heatmapSvg(map))
    else writeFileSafely(out, (await import('../export/heatmap-html.js')).heatmapHtml(map, `${command} --out ${flags.out}`))
    if (!this.jsonEnabled()) {
      const {heatmapLines} = await import('../ui/heatmap-lines.js')
      for (const line of heatmapLines(map)) this.log(line)
      this.log(`\nwrote ${flags.out}: ${map.cells.length} cells, ${digitGroups(outcome.runs)} runs`)
    }
    return {...map, out: flags.out}
  }
}

/** A skew as --skews takes it: `1.5s`, `-500ms`, `0`. */
function signed(skew: number): string {
  return skew < 0 ? `-${formatDuration(-skew)}` : formatDuration(skew)
}

function unique<T>(flag: string, values: readonly T[], show: (value: T) => string): T[] {
  const seen = new Set<string>()
  for (const value of values) {
    const key = show(value)
    if (seen.has(key)) throw new InputError(`${flag}: ${key} is given twice`)
    seen.add(key)
  }
  return [...values]
}

/** The command that draws this map again (without --out). */
function heatmapCommand(scenario: string, strategies: readonly string[], skews: readonly number[], sizes: readonly number[], seeds: number, seedStart: number): string {
  return `racelab heatmap --scenario ${scenario} --strategy ${strategies.join(',')} --skews=${skews.map(signed).join(',')} --sizes ${sizes.join(',')} --seeds ${seeds}${seedStart === 1 ? '' : ` --seed-start ${seedStart}`}`
}
