import {swimlane} from '../ui/swimlane-rows.js'
import type {TraceEvent} from '../sim/trace/trace-event.js'
import {eventDetail} from './event-detail.js'
import {isFault, laneOrder, messageFlows} from './message-flows.js'
import {subjectTitle, type TraceSubject} from './trace-subject.js'

/** A slice is drawn this long at most (1 ms), shorter when the lane's next event comes sooner. */
const MAX_SLICE = 1000

interface ChromeEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts?: number
  dur?: number
  cat?: string
  id?: number
  bp?: string
  cname?: string
  args?: Record<string, unknown>
}

/**
 * The run in Chrome's trace-event format (Perfetto, chrome://tracing): one process, one track
 * (thread) per service and relay in the causal order, every event a slice on its track with the
 * timeline line and the event's fields as args, and one flow per message from the relay's publish
 * to each ELS handling of it (a redelivery is a step of the same flow). Timestamps are the run's
 * virtual microseconds, so the same run writes the same bytes.
 */
export function chromeTrace(trace: readonly TraceEvent[], subject: TraceSubject): string {
  const model = swimlane(trace)
  const lanes = laneOrder(model.columns)
  const tid = (svc: string): number => lanes.indexOf(svc) + 1
  const events: ChromeEvent[] = [{name: 'process_name', ph: 'M', pid: 1, tid: 0, args: {name: subjectTitle(subject)}}]
  lanes.forEach((svc, i) => {
    events.push({name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: {name: svc}})
    events.push({name: 'thread_sort_index', ph: 'M', pid: 1, tid: i + 1, args: {sort_index: i + 1}})
  })
  const durations = sliceDurations(trace)
  const flows = messageFlows(trace)
  const flowOf = new Map<TraceEvent, {id: number; ph: 's' | 't' | 'f'}>()
  for (const flow of flows) {
    if (flow.handlings.length === 0) continue
    flowOf.set(flow.published, {id: flow.id, ph: 's'})
    flow.handlings.forEach((handled, i) => flowOf.set(handled, {id: flow.id, ph: i === flow.handlings.length - 1 ? 'f' : 't'}))
  }
  trace.forEach((event, i) => {
    const {t, svc, ev, ...fields} = event
    const harmful = model.rows[i].harmful
    events.push({
      name: model.rows[i].text || ev,
      cat: isFault(event) ? 'fault' : ev,
      ph: 'X',
      ts: t,
      dur: durations[i],
      pid: 1,
      tid: tid(svc),
      ...(harmful ? {cname: 'terrible'} : isFault(event) ? {cname: 'bad'} : {}),
      args: {detail: eventDetail(event), ...(harmful ? {harmful: 'handled before its batch was registered'} : {}), ...fields},
    })
    const flow = flowOf.get(event)
    if (flow !== undefined) {
      // A flow's finish binds to the slice it lands in ("e": enclosing), not the next one.
      events.push({name: 'message', cat: 'message', ph: flow.ph, id: flow.id, ts: t, pid: 1, tid: tid(svc), ...(flow.ph === 's' ? {} : {bp: 'e'})})
    }
  })
  const otherData = {generator: 'racelab', scenario: subject.scenario, strategy: subject.strategy, seed: subject.seed, ...(subject.reproduce ? {reproduce: subject.reproduce} : {})}
  // `otherData` first, so the file starts with CHROME_TRACE_HEAD (trace-formats.ts).
  const head = JSON.stringify({otherData}).slice(0, -1)
  return `${head},"displayTimeUnit":"ms","traceEvents":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`
}

/**
 * Each event's slice length: up to the next later event on its lane (at most 1 ms, at least 1 µs),
 * so the slices of a lane never overlap except events at the same instant, whose equal slices nest.
 */
function sliceDurations(trace: readonly TraceEvent[]): number[] {
  const durations = new Array<number>(trace.length).fill(MAX_SLICE)
  const pending = new Map<string, number[]>()
  trace.forEach((event, i) => {
    const waiting = pending.get(event.svc) ?? []
    const stillWaiting: number[] = []
    for (const j of waiting) {
      if (trace[j].t < event.t) durations[j] = Math.max(1, Math.min(MAX_SLICE, event.t - trace[j].t))
      else stillWaiting.push(j)
    }
    stillWaiting.push(i)
    pending.set(event.svc, stillWaiting)
  })
  return durations
}
