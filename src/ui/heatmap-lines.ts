import type {HeatmapJson} from '../sim/heatmap/heatmap-grid.js'

/** The heatmap as text for the terminal: a block per strategy, a row per batch size, failing seeds in percent. */
export function heatmapLines(map: HeatmapJson): string[] {
  const width = 8
  const pad = (text: string) => text.padStart(width)
  const skew = (s: number) => `${s > 0 ? '+' : s < 0 ? '-' : ''}${Math.abs(s)}s`
  const lines = [`${map.scenario}: share of seeds ${map.seedStart}..${map.seedStart + map.seeds - 1} failing, by relay skew (BOS minus File Service) and essays per batch`]
  for (const strategy of map.strategies) {
    lines.push('', `${strategy.padEnd(12)}${map.skews.map((s) => pad(skew(s))).join('')}`)
    for (const essays of map.sizes) {
      const row = map.skews.map((s) => {
        const cell = map.cells.find((c) => c.strategy === strategy && c.essays === essays && c.skew === s)
        return pad(cell === undefined ? '' : `${Math.round(cell.rate * 100)}%`)
      })
      lines.push(`${`${essays} essays`.padStart(10)}  ${row.join('')}`)
    }
  }
  return lines
}
