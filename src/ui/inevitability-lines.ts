import {SECOND} from '../sim/kernel/time.js'
import {pointShare, type InevitabilityCurve} from '../sim/search/inevitability.js'

const seconds = (t: number) => `${(t / SECOND).toFixed(3)}s`

/** One sentence: when the run's outcome became inevitable, and what the reruns did before. */
export function inevitabilitySummary(curve: InevitabilityCurve): string {
  if (curve.verdict === 'pass') return `The run passed; ${curve.points.length} prefixes of its ${curve.choices} choices were rerun ${curve.trials} times each.`
  if (curve.inevitableAt === undefined) return `Not inevitable before the end: even with all ${curve.choices} choices replayed, some reruns passed.`
  const before = curve.points.filter((p) => p.prefix < curve.inevitablePrefix!)
  const last = before.at(-1)
  if (curve.decisiveAt === undefined || last === undefined) return `Inevitable from the start: every rerun failed, whatever was drawn (the scenario fixes what loses the race).`
  return (
    `Inevitable from ${seconds(curve.inevitableAt)}: every rerun from there failed. The choice that sealed it was made at ${seconds(curve.decisiveAt)} ` +
    `(choice ${curve.inevitablePrefix} of ${curve.choices}); with it left to chance, ${last.failures} of ${last.runs} reruns failed.`
  )
}

/** The curve for the terminal: one line per prefix, a bar for P(failure). */
export function inevitabilityLines(curve: InevitabilityCurve): string[] {
  const lines = curve.points.map((point) => {
    const {p} = pointShare(point)
    const bar = '█'.repeat(Math.round(p * 30)).padEnd(30, '·')
    return `${seconds(point.t).padStart(10)}  ${String(point.prefix).padStart(4)}  ${bar} ${String(Math.round(p * 100)).padStart(3)}%  ${point.failures}/${point.runs}`
  })
  return ['      time  pfx  P(failure) of reruns with the first pfx choices replayed', ...lines, '', inevitabilitySummary(curve)]
}
