import type {HeatmapCell, HeatmapJson} from '../sim/heatmap/heatmap-grid.js'
import {escapeHtml as esc} from './html-escape.js'
import {SVG_FONT as FONT, svgDocument} from './svg-document.js'

/** The first bytes of every heatmap racelab writes, as SVG and as HTML: how `--out` recognises its own. */
export const HEATMAP_SVG_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- racelab heatmap -->'
export const HEATMAP_HTML_HEAD = '<!DOCTYPE html>\n<!-- racelab heatmap -->'

const CELL_W = 66
const CELL_H = 38
const LEFT = 86
const TOP = 74
const GAP = 40

/** A failure rate as a colour: a pale green for none, then from a pale to a deep red. */
export function rateColour(rate: number): string {
  if (rate === 0) return '#e6f4ea'
  const from = [0xfd, 0xe0, 0xdd]
  const to = [0xa4, 0x0e, 0x26]
  const t = 0.15 + 0.85 * Math.min(1, Math.max(0, rate))
  return `#${from.map((c, i) => Math.round(c + (to[i] - c) * t).toString(16).padStart(2, '0')).join('')}`
}

const percent = (rate: number): string => `${Math.round(rate * 100)}%`
const skewLabel = (skew: number): string => `${skew > 0 ? '+' : skew < 0 ? '−' : ''}${Math.abs(skew)} s`

/**
 * The heatmap as one SVG: a panel per strategy, a row per batch size, a column per relay skew,
 * each cell coloured by its failure rate and labelled with it and its failing seeds; hover over a
 * cell for its relay delays and the command that reproduces its first failing seed. Valid XML
 * (every string escaped), so it opens as an image and inline in HTML alike.
 */
export function heatmapSvg(map: HeatmapJson, title = `racelab heatmap: ${map.scenario}, ${map.seeds} seeds per cell`): string {
  const cols = map.skews.length
  const rows = map.sizes.length
  const panelW = cols * CELL_W
  const width = LEFT + map.strategies.length * panelW + (map.strategies.length - 1) * GAP + 24
  const legendY = TOP + rows * CELL_H + 54
  const height = legendY + 44
  const byKey = new Map(map.cells.map((c) => [`${c.strategy}|${c.essays}|${c.skew}`, c]))
  const parts: string[] = [
    `<text x="12" y="24" font-size="16" font-weight="600" ${FONT}>${esc(title)}</text>`,
    `<text x="12" y="44" font-size="12" fill="#57606a" ${FONT}>share of seeds failing; columns: relay skew (BOS relay delay − File Service relay delay); rows: essays per batch</text>`,
  ]
  map.strategies.forEach((strategy, p) => {
    const x0 = LEFT + p * (panelW + GAP)
    parts.push(`<g class="panel" data-strategy="${esc(strategy)}">`)
    parts.push(`<text x="${x0 + panelW / 2}" y="${TOP - 10}" font-size="14" font-weight="600" text-anchor="middle" ${FONT}>${esc(strategy)}</text>`)
    map.sizes.forEach((essays, r) => {
      const y = TOP + r * CELL_H
      if (p === 0) parts.push(`<text x="${LEFT - 10}" y="${y + CELL_H / 2 + 4}" font-size="12" text-anchor="end" ${FONT}>${essays} essays</text>`)
      map.skews.forEach((skew, c) => {
        const cell = byKey.get(`${strategy}|${essays}|${skew}`)
        if (cell) parts.push(cellSvg(cell, x0 + c * CELL_W, y))
      })
    })
    map.skews.forEach((skew, c) => {
      parts.push(`<text x="${x0 + c * CELL_W + CELL_W / 2}" y="${TOP + rows * CELL_H + 16}" font-size="12" text-anchor="middle" ${FONT}>${esc(skewLabel(skew))}</text>`)
    })
    parts.push(`<text x="${x0 + panelW / 2}" y="${TOP + rows * CELL_H + 34}" font-size="11" fill="#57606a" text-anchor="middle" ${FONT}>relay skew</text>`)
    parts.push('</g>')
  })
  parts.push(legend(LEFT, legendY))
  const background = `<rect width="${width}" height="${height}" fill="#ffffff"/>`
  return `${HEATMAP_SVG_HEAD}\n${svgDocument({className: 'heatmap', width, height, label: title}, [background, ...parts])}\n`
}

function cellSvg(cell: HeatmapCell, x: number, y: number): string {
  const dark = cell.rate > 0.45
  const tip =
    `${cell.strategy}, ${cell.essays} essays, skew ${skewLabel(cell.skew)} (BOS relay ${cell.bosRelay}, File Service relay ${cell.fileRelay}): ` +
    `${cell.failures} of ${cell.runs} seeds failed` +
    (cell.reproduce === undefined ? '' : `; first: ${cell.reproduce}`)
  return (
    `<g class="cell" data-strategy="${esc(cell.strategy)}" data-essays="${cell.essays}" data-skew="${cell.skew}" data-failures="${cell.failures}" data-runs="${cell.runs}">` +
    `<title>${esc(tip)}</title>` +
    `<rect x="${x + 1}" y="${y + 1}" width="${CELL_W - 2}" height="${CELL_H - 2}" rx="3" fill="${rateColour(cell.rate)}"/>` +
    `<text x="${x + CELL_W / 2}" y="${y + 17}" font-size="13" font-weight="600" text-anchor="middle" fill="${dark ? '#ffffff' : '#1f2328'}" ${FONT}>${percent(cell.rate)}</text>` +
    `<text x="${x + CELL_W / 2}" y="${y + 31}" font-size="10" text-anchor="middle" fill="${dark ? '#ffffff' : '#57606a'}" ${FONT}>${cell.failures}/${cell.runs}</text>` +
    '</g>'
  )
}

function legend(x: number, y: number): string {
  const steps = [0, 0.1, 0.25, 0.5, 0.75, 1]
  return (
    `<g class="legend"><text x="${x - 10}" y="${y + 15}" font-size="11" text-anchor="end" ${FONT}>failing</text>` +
    steps
      .map(
        (rate, i) =>
          `<rect x="${x + i * 46}" y="${y}" width="44" height="20" rx="3" fill="${rateColour(rate)}"/>` +
          `<text x="${x + i * 46 + 22}" y="${y + 34}" font-size="10" text-anchor="middle" ${FONT}>${percent(rate)}</text>`,
      )
      .join('') +
    '</g>'
  )
}
