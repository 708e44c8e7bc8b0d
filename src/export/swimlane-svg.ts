import {SHORT_NAME} from '../sim/domain/events.js'
import {formatSeconds, type Micros} from '../sim/kernel/time.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {swimlane} from '../ui/swimlane-rows.js'
import {eventDetail} from './event-detail.js'
import {escapeHtml as esc} from './html-escape.js'
import {isFault, laneOrder, messageFlows} from './message-flows.js'
import {svgDocument} from './svg-document.js'

/** The most events one picture draws; a longer run shows its first ones and says so. */
export const MAX_SWIMLANE_EVENTS = 600

const LABEL_W = 120
const STEP = 78
const LANE_H = 64
const TOP = 46
const MARK = 6
/** A stretch this long (0.5 s) with nothing happening is marked between its two columns. */
const GAP = 500_000

export interface SwimlaneSvg {
  svg: string
  /** Events drawn, and events in the trace. */
  drawn: number
  total: number
}

/**
 * The run as an SVG swimlane: one horizontal lane per service and relay (in causal order), one
 * column per instant at which something happened (so a 2 s relay lag does not squeeze the rest
 * flat; the time is written above each column), every event a mark on its lane with its timeline
 * line as hover text (`<title>`), every message an arrow from the relay that published it to the
 * ELS instance that handled it (a redelivery dashed), each outbox row a dotted line from its
 * commit to its first publish, every fault a shaded band on its lane until it healed, and the
 * harmful reordering (ELS handling input before its batch's registration) in red.
 */
export function swimlaneSvg(trace: readonly TraceEvent[]): SwimlaneSvg {
  const shown = trace.slice(0, MAX_SWIMLANE_EVENTS)
  const model = swimlane(shown)
  const lanes = laneOrder(model.columns)
  const instants = [...new Set(shown.map((e) => e.t))]
  const slot = new Map(instants.map((t, i) => [t, i]))
  const xOfSlot = (i: number): number => LABEL_W + STEP / 2 + i * STEP
  const width = LABEL_W + Math.max(1, instants.length) * STEP + STEP / 2
  const height = TOP + lanes.length * LANE_H + 8
  const laneOf = new Map(lanes.map((svc, i) => [svc, i]))
  const laneY = (svc: string): number => TOP + laneOf.get(svc)! * LANE_H + LANE_H / 2
  /** A time between two instants sits between their columns (fault bands end there). */
  const xAt = (t: Micros): number => {
    const exact = slot.get(t)
    if (exact !== undefined) return xOfSlot(exact)
    const after = instants.findIndex((i) => i > t)
    if (after === -1) return width - 4
    if (after === 0) return xOfSlot(0)
    const a = instants[after - 1]
    const b = instants[after]
    return xOfSlot(after - 1) + ((t - a) / (b - a)) * STEP
  }
  // Events at one instant on one lane stack downwards.
  const stacked = new Map<string, number>()
  const position = shown.map((event) => {
    const key = `${event.svc}\u0000${event.t}`
    const k = stacked.get(key) ?? 0
    stacked.set(key, k + 1)
    return {x: xOfSlot(slot.get(event.t)!), y: laneY(event.svc) - 8 + k * 14}
  })
  const at = new Map(shown.map((event, i) => [event, position[i]]))

  const parts: string[] = []
  parts.push(
    '<defs>',
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>',
    '<marker id="arrow-harm" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead harm"/></marker>',
    '</defs>',
  )
  lanes.forEach((svc, i) => {
    const y = TOP + i * LANE_H
    parts.push(
      `<g class="lane" data-lane="${esc(svc)}"><rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${width}" height="${LANE_H}"/>` +
        `<text class="lane-name" x="10" y="${y + LANE_H / 2 + 4}">${esc(svc)}</text></g>`,
    )
  })
  instants.forEach((t, i) => {
    parts.push(`<text class="tick" x="${xOfSlot(i)}" y="${TOP - 10}">${esc(formatSeconds(t))}</text>`)
    // Columns are instants, not a time scale: a long quiet stretch between two is marked.
    if (i > 0 && t - instants[i - 1] >= GAP) {
      const x = xOfSlot(i) - STEP / 2
      parts.push(`<g class="gap"><title>${esc(`nothing happened for ${formatSeconds(t - instants[i - 1])}`)}</title><line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${height}"/><text x="${x}" y="${TOP - 22}">+${esc(formatSeconds(t - instants[i - 1]))}</text></g>`)
    }
  })
  // Faults first, under everything: a band on the lane from the fault until it healed.
  for (const event of shown) {
    if (!isFault(event)) continue
    const heal = 'restartIn' in event ? event.restartIn : 'retryIn' in event ? event.retryIn : 0
    const x = at.get(event)!.x
    const x2 = Math.max(x + 14, xAt(event.t + heal))
    const y = TOP + laneOf.get(event.svc)! * LANE_H + 3
    parts.push(
      `<rect class="fault-band" x="${x - 7}" y="${y}" width="${x2 - x + 7}" height="${LANE_H - 6}"><title>${esc(`${formatSeconds(event.t)} ${event.svc}: ${eventDetail(event)}`)}</title></rect>`,
    )
  }
  // Outbox rows: the commit (or ELS's handling) that wrote the row, dotted to its first publish.
  const firstPublish = new Map<string, Extract<TraceEvent, {ev: 'published'}>>()
  for (const event of shown) {
    if (event.ev === 'published' && !firstPublish.has(`${event.svc}\u0000${event.row}`)) firstPublish.set(`${event.svc}\u0000${event.row}`, event)
  }
  for (const event of shown) {
    if (event.ev !== 'batch-registered' && event.ev !== 'file-committed') continue
    const published = firstPublish.get(`${event.svc}-relay\u0000${event.row}`)
    if (published === undefined) continue
    const a = at.get(event)!
    const b = at.get(published)!
    parts.push(`<line class="outbox-row" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"><title>${esc(`outbox row ${event.row} of ${event.svc}: committed ${formatSeconds(event.t)}, published ${formatSeconds(published.t)}`)}</title></line>`)
  }
  // Messages: from the publish to every handling of it.
  const harmful = new Set(shown.filter((_, i) => model.rows[i].harmful))
  for (const flow of messageFlows(shown)) {
    flow.handlings.forEach((handled, k) => {
      const a = at.get(flow.published)!
      const b = at.get(handled)!
      const harm = harmful.has(handled)
      const p = flow.published
      const title = `${SHORT_NAME[p.type] ?? p.type} ${p.key} (p${p.partition}@${p.offset}): published by ${p.svc} at ${formatSeconds(p.t)}, handled by ${handled.svc} at ${formatSeconds(handled.t)}${k > 0 ? ' (again)' : ''}${harm ? ': before its batch was registered' : ''}`
      parts.push(
        `<g class="message${harm ? ' harmful' : ''}${k > 0 ? ' again' : ''}"><title>${esc(title)}</title>` +
          `<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y - MARK - 1}" marker-end="url(#${harm ? 'arrow-harm' : 'arrow'})"/></g>`,
      )
    })
  }
  shown.forEach((event, i) => {
    const {x, y} = position[i]
    const row = model.rows[i]
    const kind = row.harmful ? 'harmful' : isFault(event) ? 'fault' : event.ev
    const label = row.text.length > 19 ? `${row.text.slice(0, 18)}…` : row.text
    const labelY = y + (slot.get(event.t)! % 2 === 0 ? 20 : -12)
    parts.push(
      `<g class="event ${esc(kind)}" data-ev="${esc(event.ev)}"><title>${esc(`${formatSeconds(event.t)} ${event.svc}: ${eventDetail(event)}`)}</title>` +
        (isFault(event) ? `<rect x="${x - MARK}" y="${y - MARK}" width="${2 * MARK}" height="${2 * MARK}"/>` : `<circle cx="${x}" cy="${y}" r="${MARK}"/>`) +
        `<text x="${x}" y="${labelY}">${esc(label)}</text></g>`,
    )
  })
  return {svg: svgDocument({className: 'swimlane', width, height, label: `swimlane of ${shown.length} events`}, parts), drawn: shown.length, total: trace.length}
}
