import {pointShare, type InevitabilityCurve} from '../sim/search/inevitability.js'
import {SECOND} from '../sim/kernel/time.js'
import {escapeHtml as esc} from './html-escape.js'
import {SVG_FONT as FONT, svgDocument} from './svg-document.js'

const W = 720
const H = 260
const LEFT = 56
const RIGHT = 24
const TOP = 20
const BOTTOM = 44

/**
 * The inevitability curve as an SVG step chart: P(failure) of reruns against the virtual time of
 * the first choice left to chance, one dot per prefix (hover for its numbers), the moment it
 * became inevitable marked. Virtual time on a linear scale.
 */
export function inevitabilitySvg(curve: InevitabilityCurve): string {
  const points = curve.points.map((p) => ({...pointShare(p), point: p}))
  const end = Math.max(1e-6, ...points.map((p) => p.seconds))
  const x = (seconds: number) => LEFT + (seconds / end) * (W - LEFT - RIGHT)
  const y = (p: number) => TOP + (1 - p) * (H - TOP - BOTTOM)
  let path = ''
  points.forEach((p, i) => {
    path += i === 0 ? `M${x(p.seconds).toFixed(1)},${y(p.p).toFixed(1)}` : ` H${x(p.seconds).toFixed(1)} V${y(p.p).toFixed(1)}`
  })
  if (points.length > 0) path += ` H${x(end).toFixed(1)}`
  const ticks = [0, 0.25, 0.5, 0.75, 1]
  const timeTicks = Array.from({length: 6}, (_, i) => (end * i) / 5)
  const parts = [
    ...ticks.map(
      (p) =>
        `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(p)}" y2="${y(p)}" stroke="#d0d7de" stroke-width="1"/>` +
        `<text x="${LEFT - 6}" y="${y(p) + 4}" font-size="11" text-anchor="end" ${FONT}>${Math.round(p * 100)}%</text>`,
    ),
    ...timeTicks.map((t) => `<text x="${x(t)}" y="${H - BOTTOM + 16}" font-size="11" text-anchor="middle" ${FONT}>${t.toFixed(t < 10 ? 3 : 1)}s</text>`),
    `<text x="${(LEFT + W - RIGHT) / 2}" y="${H - 8}" font-size="11" fill="#57606a" text-anchor="middle" ${FONT}>virtual time of the first choice left to chance</text>`,
    `<text x="14" y="${(TOP + H - BOTTOM) / 2}" font-size="11" fill="#57606a" text-anchor="middle" transform="rotate(-90 14 ${(TOP + H - BOTTOM) / 2})" ${FONT}>P(failure)</text>`,
  ]
  if (curve.inevitableAt !== undefined) {
    const at = x(curve.inevitableAt / SECOND)
    parts.push(
      `<line class="inevitable" x1="${at}" x2="${at}" y1="${TOP}" y2="${H - BOTTOM}" stroke="#cf222e" stroke-dasharray="4 3"/>` +
        `<text x="${Math.min(at + 4, W - RIGHT - 150)}" y="${TOP + 12}" font-size="11" fill="#cf222e" ${FONT}>inevitable from ${(curve.inevitableAt / SECOND).toFixed(3)}s</text>`,
    )
  }
  parts.push(`<path class="curve" d="${path}" fill="none" stroke="#0969da" stroke-width="2"/>`)
  for (const p of points) {
    const tip = `${p.point.prefix} of ${curve.choices} choices replayed, the rest drawn at random: ${p.point.failures} of ${p.point.runs} reruns failed (first choice left to chance at ${p.seconds.toFixed(6)}s)`
    parts.push(`<circle cx="${x(p.seconds).toFixed(1)}" cy="${y(p.p).toFixed(1)}" r="3" fill="#0969da" data-prefix="${p.point.prefix}" data-t="${p.point.t}" data-failures="${p.point.failures}" data-runs="${p.point.runs}"><title>${esc(tip)}</title></circle>`)
  }
  return svgDocument({className: 'inevitability', width: W, height: H, label: 'inevitability curve'}, parts)
}
