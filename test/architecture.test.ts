import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

// The layout rules of docs/architecture.md, checked on the sources. Each failure names the file
// and the import (or the call) that breaks the rule.

const root = resolve(import.meta.dirname, '..')
const src = join(root, 'src')

interface Import {
  from: string
  to: string
  line: number
  text: string
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}

const files = sources(src).map((path) => relative(root, path))
const text = new Map(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]))

/** Every relative import, static or dynamic (type-only imports count: they are design dependencies too). */
const imports: Import[] = files.flatMap((file) =>
  text
    .get(file)!
    .split('\n')
    .flatMap((line, i) => {
      const found = [...line.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)]
      return found.map((m) => ({
        from: file,
        to: relative(root, resolve(dirname(join(root, file)), m[1])).replace(/\.js$/, '.ts'),
        line: i + 1,
        text: line.trim(),
      }))
    }),
)

const where = (i: Import): string => `${i.from}:${i.line}: ${i.text}`
const under = (file: string, folder: string): boolean => file.startsWith(`${folder}/`)

describe('architecture', () => {
  it('src/sim imports nothing from src/ui, src/cli or src/commands', () => {
    const upward = imports.filter((i) => under(i.from, 'src/sim') && ['src/ui', 'src/cli', 'src/commands'].some((f) => under(i.to, f)))
    expect(upward.map(where)).toEqual([])
  })

  it('the simulated and the live shell do not import each other', () => {
    const crossing = imports.filter(
      (i) => (under(i.from, 'src/sim/simulated') && under(i.to, 'src/sim/live')) || (under(i.from, 'src/sim/live') && under(i.to, 'src/sim/simulated')),
    )
    expect(crossing.map(where)).toEqual([])
  })

  it('the process layer knows neither shell: only the clock port and the bus', () => {
    const shellward = imports.filter((i) => under(i.from, 'src/sim/process') && ['src/sim/simulated', 'src/sim/live'].some((f) => under(i.to, f)))
    expect(shellward.map(where)).toEqual([])
  })

  it('no import cycle between folders', () => {
    // Given the folder graph, one example import per edge. A folder nested in another may use the
    // vocabulary of the folder it is nested in (check/invariants/ uses check/invariant.ts): that
    // edge is how nesting works, not a cycle between two parts.
    const edges = new Map<string, Map<string, Import>>()
    for (const i of imports) {
      const a = dirname(i.from)
      const b = dirname(i.to)
      if (a === b || a.startsWith(`${b}/`)) continue
      if (!edges.has(a)) edges.set(a, new Map())
      if (!edges.get(a)!.has(b)) edges.get(a)!.set(b, i)
    }
    // When: a depth-first search for a back edge
    const state = new Map<string, 'open' | 'done'>()
    const path: string[] = []
    let cycle: string[] | undefined
    const visit = (folder: string): void => {
      if (cycle) return
      state.set(folder, 'open')
      path.push(folder)
      for (const next of edges.get(folder)?.keys() ?? []) {
        if (state.get(next) === 'open') {
          const loop = [...path.slice(path.indexOf(next)), next]
          cycle = loop.slice(1).map((to, k) => where(edges.get(loop[k])!.get(to)!))
          return
        }
        if (!state.has(next)) visit(next)
        if (cycle) return
      }
      path.pop()
      state.set(folder, 'done')
    }
    for (const folder of [...edges.keys()].sort()) if (!state.has(folder)) visit(folder)

    // Then
    expect(cycle ?? []).toEqual([])
  })

  it('the core reads no wall clock, sets no timer and draws no Math.random', () => {
    // The live shell and the kafkajs bus are where wall time belongs; the rest are applications that
    // talk to a real cluster or process (each listed with why), never the simulated core.
    const allowed = [
      'src/sim/live/', // the live shell
      'src/sim/bus/kafkajs-bus.ts', // the real Kafka client
      'src/sim/bench/', // measures wall-clock speed
      'src/sim/fixture/from-kafka/read-input-topics.ts', // reads a real cluster to its end
      'src/sim/verify/live-verify.ts', // times live cells on the wall clock
      'src/sim/consumer/nondeterminism-trap.ts', // replaces the clock and Math.random with traps while a user's handler runs
      'src/sim/consumer/process-channel.ts', // waits for a consumer process's answer, with a wall-clock timeout
    ]
    const banned = /\bDate\.now\b|new Date\(\)|\bperformance\.now\b|\bsetTimeout\b|\bsetInterval\b|\bMath\.random\b/
    const found = files
      .filter((file) => under(file, 'src/sim') && !allowed.some((a) => file.startsWith(a)))
      .flatMap((file) =>
        text
          .get(file)!
          .split('\n')
          .flatMap((line, i) => (banned.test(line.replace(/\/\/.*$|^\s*\*.*$/, '')) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      )
    expect(found).toEqual([])
  })

  it('finds the imports it checks (the rules above are not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100)
    expect(imports.some((i) => under(i.from, 'src/sim/simulated') && under(i.to, 'src/sim/process'))).toBe(true)
    expect(imports.some((i) => under(i.from, 'src/sim/live') && under(i.to, 'src/sim/process'))).toBe(true)
  })
})
