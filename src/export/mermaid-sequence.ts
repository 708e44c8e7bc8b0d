import {SHORT_NAME} from '../sim/domain/events.js'
import {formatSeconds} from '../sim/kernel/time.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {swimlane} from '../ui/swimlane-rows.js'
import {eventDetail} from './event-detail.js'
import {isFault, laneOrder, messageFlows, type MessageFlow} from './message-flows.js'
import {MERMAID_HEAD} from './trace-formats.js'
import type {TraceSubject} from './trace-subject.js'

/** Where a message nobody in the run consumed goes (ELS's outputs). */
const DOWNSTREAM = 'downstream'

const TITLES: Record<string, string> = {bos: 'BOS', file: 'File Service'}

/**
 * The run as a Mermaid sequence diagram, meant for a shrunk run pasted into a pull request: one
 * participant per service and relay, one arrow per message (from the relay that published it to
 * the ELS instance that first handled it, drawn when it was handled, or to `downstream` for ELS's
 * own outputs, drawn when published), the commits and a handling again as notes, every fault as a
 * note, and the harmful reordering (ELS handling input before its batch's registration) in a red
 * box.
 */
export function mermaidSequence(trace: readonly TraceEvent[], subject: TraceSubject): string {
  const model = swimlane(trace)
  const lanes = laneOrder(model.columns)
  const ids = new Map(lanes.map((svc) => [svc, participantId(svc)]))
  const flows = messageFlows(trace)
  const firstHandling = new Map<TraceEvent, MessageFlow>()
  const againHandling = new Set<TraceEvent>()
  const unconsumed = new Set<TraceEvent>()
  for (const flow of flows) {
    if (flow.handlings.length === 0) unconsumed.add(flow.published)
    else firstHandling.set(flow.handlings[0], flow)
    for (const again of flow.handlings.slice(1)) againHandling.add(again)
  }
  const lines = [`${MERMAID_HEAD} ${text(`${subject.scenario} under ${subject.strategy}, seed ${subject.seed}`)}`]
  if (subject.reproduce) lines.push(`    %% reproduce: ${text(subject.reproduce)}`)
  for (const svc of lanes) lines.push(`    participant ${ids.get(svc)} as ${text(TITLES[svc] ?? svc)}`)
  if (unconsumed.size > 0) lines.push(`    participant ${DOWNSTREAM} as downstream topics`)
  trace.forEach((event, i) => {
    const at = formatSeconds(event.t)
    const over = ids.get(event.svc)!
    const flow = firstHandling.get(event)
    if (flow !== undefined && event.ev === 'handled') {
      const arrow = `    ${ids.get(flow.published.svc)}->>${over}: ${text(`${at} ${messageName(flow)}: ${outcome(event)}`)}`
      if (model.rows[i].harmful) {
        lines.push('    rect rgba(220, 38, 38, 0.18)', `    ${arrow}`, `        Note over ${over}: ${text('handled before its batch was registered')}`, '    end')
      } else {
        lines.push(arrow)
      }
    } else if (unconsumed.has(event) && event.ev === 'published') {
      lines.push(`    ${over}-)${DOWNSTREAM}: ${text(`${at} ${SHORT_NAME[event.type] ?? event.type} ${event.key} (p${event.partition}@${event.offset})`)}`)
    } else if (againHandling.has(event) && event.ev === 'handled') {
      lines.push(`    Note over ${over}: ${text(`${at} handled again (p${event.partition}@${event.offset}): ${outcome(event)}`)}`)
    } else if (isFault(event)) {
      lines.push(`    Note over ${over}: ${text(`${at} FAULT: ${eventDetail(event)}`)}`)
    } else if (event.ev === 'batch-registered' || event.ev === 'file-committed' || event.ev === 'upload-refused' || event.ev === 'expired') {
      lines.push(`    Note over ${over}: ${text(`${at} ${eventDetail(event)}`)}`)
    }
  })
  return lines.join('\n') + '\n'
}

function messageName(flow: MessageFlow): string {
  const p = flow.published
  return `${SHORT_NAME[p.type] ?? p.type} ${p.key} (p${p.partition}@${p.offset}, published ${formatSeconds(p.t)})`
}

function outcome(event: Extract<TraceEvent, {ev: 'handled'}>): string {
  return eventDetail(event).replace(/^.*?:\s/, '')
}

/** A Mermaid identifier for a lane: letters and digits only (a `-` would read as an arrow). */
function participantId(svc: string): string {
  return svc.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')
}

/**
 * Text Mermaid shows as written: `;` ends a statement and `#` starts an entity in Mermaid, and a
 * line break or control character would end the line, so they are replaced.
 */
function text(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced
    .replace(/[\u0000-\u001F\u007F]/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, 'no. ')
    .replace(/%%/g, '% %')
}
