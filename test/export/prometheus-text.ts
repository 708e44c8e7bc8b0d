/**
 * A small strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it
 * throws on anything the format does not allow or that a scraper would reject. Checked: metric and
 * label names, escaped label values, numeric values, `# HELP` and `# TYPE` before a family's
 * samples and at most once each, families contiguous, no series twice, counters named `_total`,
 * and histograms with ascending `le` buckets, cumulative counts, a `+Inf` bucket equal to `_count`,
 * and a `_sum`.
 */
export interface Family {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help?: string
  samples: {name: string; labels: Record<string, string>; value: number}[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition ends with a line feed')
  const families = new Map<string, Family>()
  const closed = new Set<string>()
  let current: string | undefined
  const seen = new Set<string>()
  const enter = (name: string): Family => {
    if (current !== name) {
      if (current !== undefined) closed.add(current)
      if (closed.has(name)) throw new Error(`family ${name} is not contiguous`)
      current = name
    }
    let family = families.get(name)
    if (family === undefined) families.set(name, (family = {type: 'untyped', samples: []}))
    return family
  }
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
      if (m === null) return // a comment
      if (!NAME.test(m[2])) throw new Error(`bad metric name, ${where}`)
      const family = enter(m[2])
      if (m[1] === 'HELP') {
        if (family.help !== undefined) throw new Error(`HELP twice, ${where}`)
        if (/\\[^\\n]/.test(m[3].replace(/\\\\/g, ''))) throw new Error(`bad escape in HELP, ${where}`)
        family.help = m[3]
      } else {
        if (family.samples.length > 0 || family.type !== 'untyped') throw new Error(`TYPE after samples or twice, ${where}`)
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`bad type, ${where}`)
        family.type = m[3] as Family['type']
      }
      return
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null) throw new Error(`not a sample, ${where}`)
    const labels = parseLabels(m[2] ?? '', where)
    const value = parseValue(m[3], where)
    const base = familyOf(m[1], families, current)
    const family = enter(base)
    const series = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`
    if (seen.has(series)) throw new Error(`series twice, ${where}`)
    seen.add(series)
    family.samples.push({name: m[1], labels, value})
  })
  for (const [name, family] of families) check(name, family)
  return families
}

function familyOf(sample: string, families: Map<string, Family>, current: string | undefined): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sample.slice(0, -suffix.length)
    if (sample.endsWith(suffix) && base === current && families.get(base)?.type === 'histogram') return base
  }
  return sample
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {}
  let rest = text
  while (rest !== '') {
    const m = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest)
    if (m === null) throw new Error(`bad labels, ${where}`)
    if (!LABEL.test(m[1]) || m[1].startsWith('__')) throw new Error(`bad label name ${m[1]}, ${where}`)
    if (m[1] in labels) throw new Error(`label twice, ${where}`)
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    rest = rest.slice(m[0].length)
    if (m[3] === ',' && rest === '') break
  }
  return labels
}

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (text === 'NaN') return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`bad value, ${where}`)
  return Number(text)
}

function check(name: string, family: Family): void {
  if (family.type === 'counter') {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} is not named _total`)
    for (const s of family.samples) if (!(s.value >= 0)) throw new Error(`counter ${name} is negative`)
  }
  if (family.type !== 'histogram') {
    for (const s of family.samples) if (s.name !== name) throw new Error(`sample ${s.name} in family ${name}`)
    return
  }
  const groups = new Map<string, Family['samples']>()
  for (const s of family.samples) {
    const {le, ...rest} = s.labels
    if (s.name === `${name}_bucket` && le === undefined) throw new Error(`bucket without le in ${name}`)
    const key = JSON.stringify(Object.entries(rest).sort())
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name === `${name}_bucket`)
    const bounds = buckets.map((b) => parseValue(b.labels.le, `${name} le`))
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) throw new Error(`${name}${key}: buckets not ascending`)
      if (buckets[i].value < buckets[i - 1].value) throw new Error(`${name}${key}: buckets not cumulative`)
    }
    if (bounds.at(-1) !== Infinity) throw new Error(`${name}${key}: no +Inf bucket`)
    const count = samples.find((s) => s.name === `${name}_count`)
    if (count === undefined || samples.find((s) => s.name === `${name}_sum`) === undefined) throw new Error(`${name}${key}: no _sum or _count`)
    if (count.value !== buckets.at(-1)!.value) throw new Error(`${name}${key}: +Inf bucket is not _count`)
  }
}

/** The value of one series (labels match exactly, `le` aside). */
export function valueOf(families: Map<string, Family>, family: string, sample: string, labels: Record<string, string> = {}): number {
  const found = families.get(family)?.samples.find((s) => s.name === sample && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()))
  if (found === undefined) throw new Error(`no ${sample} ${JSON.stringify(labels)}`)
  return found.value
}
