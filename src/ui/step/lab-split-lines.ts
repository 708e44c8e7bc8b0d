import {indexAtTime, labStateAt} from '../../sim/lab/lab-state-at.js'
import {invariantsAt} from '../../sim/lab/invariant-breaks.js'
import type {LabRun} from '../../sim/lab/lab-run.js'
import type {Micros} from '../../sim/kernel/time.js'
import type {StyledLine} from '../styled-line.js'
import {swimlane} from '../swimlane-rows.js'
import {brokenCount, slotLines} from './lab-panel-lines.js'

const fit = (text: string, width: number): string => (text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text.padEnd(width))

/**
 * One side of the split view: a strategy's run at virtual time `t` (both sides share the seed and
 * the time cursor; the primary side passes its cursor as `at`): its verdict so far, the events around `t` (one line each, the last one at or
 * before `t` marked), and its slots per batch.
 */
export function splitColumnLines(lab: LabRun, t: Micros, width: number, height: number, at?: number): StyledLine[] {
  const {trace} = lab.run
  const cursor = at ?? indexAtTime(trace, t)
  const before = trace.length > 0 && trace[0].t > t
  const broken = brokenCount(invariantsAt(lab.breaks, before ? -1 : cursor))
  const title: StyledLine = {
    text: fit(`${lab.config.strategy}: ${broken > 0 ? `${broken} invariant${broken === 1 ? '' : 's'} broken` : 'holding'} (run ${lab.run.result.verdict === 'fail' ? 'FAILS' : 'passes'})`, width),
    tone: broken > 0 ? 'fail' : 'pass',
  }
  const model = swimlane(trace)
  const state = labStateAt(trace, before ? -1 : cursor, lab.routing)
  const slots = slotLines(state).map((line) => ({...line, text: fit(line.text, width)}))
  const rows = Math.max(1, height - 2 - slots.length)
  const from = Math.max(0, Math.min(cursor - Math.floor(rows / 2), trace.length - rows))
  const events = trace.slice(from, from + rows).map((event, i): StyledLine => {
    const index = from + i
    const row = model.rows[index]
    const mark = index === cursor && !before ? '▶' : ' '
    return {text: fit(`${mark}${row.harmful ? '!' : ' '}${row.time.padStart(7)} ${event.svc.padEnd(10)} ${row.text}`, width), tone: row.harmful ? 'fail' : index === cursor ? 'bold' : undefined}
  })
  return [title, ...events, {text: fit('─ slots', width), tone: 'dim' as const}, ...slots].slice(0, height)
}
