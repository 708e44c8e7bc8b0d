// Compares the CPU time per simulated run of two builds (docs/benchmarks.md, "Cheaper runs"):
//   node scripts/compare-builds.mjs BEFORE/dist AFTER/dist [scenario] [runs per block] [blocks]
// Both builds are loaded into one process and run the same seeds (strategy buffer) in alternating
// blocks, each block timed by the process's CPU time (user + system), so a shared machine's load
// falls on both alike. Wall-clock figures on a busy machine say more about the machine.
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

const [before, after, scenarioName = 'content-first', blockArg = '200', roundsArg = '10'] = process.argv.slice(2)
if (!before || !after) {
  console.error('usage: node scripts/compare-builds.mjs BEFORE/dist AFTER/dist [scenario] [runs per block] [blocks]')
  process.exit(2)
}
const block = Number(blockArg)
const rounds = Number(roundsArg)

async function load(dist) {
  const url = (file) => pathToFileURL(resolve(dist, file)).href
  const {runSimulation} = await import(url('sim/simulated/run-simulation.js'))
  const {BUILTIN_SCENARIOS} = await import(url('sim/scenario/builtin-scenarios.js'))
  return {runSimulation, scenario: BUILTIN_SCENARIOS.get(scenarioName)}
}

/** CPU milliseconds for `block` runs from seed `from`. */
function timed(build, from) {
  const start = process.cpuUsage()
  for (let seed = from; seed < from + block; seed++) build.runSimulation({scenario: build.scenario, strategy: 'buffer', seed})
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

const a = await load(before)
const b = await load(after)
for (let i = 0; i < 3; i++) {
  timed(a, 50_000)
  timed(b, 50_000)
}
const times = {a: [], b: []}
for (let round = 0; round < rounds; round++) {
  const from = 1 + round * block
  // Alternate which build goes first, so neither always runs on a warmer or cooler machine.
  const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a']
  for (const which of order) times[which].push(timed(which === 'a' ? a : b, from))
}
const sum = (xs) => xs.reduce((s, x) => s + x, 0)
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1]
const perRun = (ms) => `${Math.round((ms / block) * 1000)} µs`
console.log(`${scenarioName}, ${rounds} blocks of ${block} runs each, CPU time per run:`)
console.log(`  before ${perRun(sum(times.a) / rounds)} (median block ${perRun(median(times.a))})`)
console.log(`  after  ${perRun(sum(times.b) / rounds)} (median block ${perRun(median(times.b))})`)
console.log(`  after / before: ${(sum(times.b) / sum(times.a)).toFixed(3)} total, ${(median(times.b) / median(times.a)).toFixed(3)} median block`)
