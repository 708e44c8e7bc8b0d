import {performance} from 'node:perf_hooks'

/**
 * How many passes a throughput figure is split into. On a shared machine one pass's wall time
 * carries whatever else ran meanwhile (host steal moved identical commands by up to 2× here,
 * docs/benchmarks.md): the fastest of several passes is the least disturbed estimate, as
 * hyperfine's min and Python's timeit report. The mean over every pass stays the headline.
 */
export const BENCH_PASSES = 5

export interface PassTimes {
  /** Wall-clock seconds of each pass, in order. */
  wall: number[]
  /**
   * CPU seconds (user + system) of the whole process over every pass. Node 20 gives no thread's
   * own CPU time, so V8's helper threads (concurrent marking, the compiler) count too: CPU time can
   * exceed the wall time, and runs per CPU second are a lower bound on a core's throughput.
   */
  cpu: number
}

/** Runs `pass(i)` for i = 0..passes-1, each timed on the wall clock, and the process's CPU time over them all. */
export function timedPasses(passes: number, pass: (index: number) => void): PassTimes {
  const wall: number[] = []
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < passes; i++) {
    const started = performance.now()
    pass(i)
    wall.push((performance.now() - started) / 1000)
  }
  const cpu = process.cpuUsage(cpuStart)
  return {wall, cpu: (cpu.user + cpu.system) / 1e6}
}

/**
 * `count` seeds from 1 split into `passes` consecutive slices (as even as they go; never more
 * slices than seeds): the seeds a pass runs, so all passes together run seeds 1..count once.
 */
export function seedSlices(count: number, passes: number): {from: number; to: number}[] {
  const slices = Math.max(1, Math.min(passes, count))
  return Array.from({length: slices}, (_, i) => ({from: 1 + Math.floor((i * count) / slices), to: Math.floor(((i + 1) * count) / slices)}))
}
