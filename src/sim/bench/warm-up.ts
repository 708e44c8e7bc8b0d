/**
 * Runs a throughput figure makes before its timed pass. V8 optimizes a function only after many
 * calls: with five warm-up runs, a 500-run pass of content-first measured 566 runs/s where the same
 * code, warmed, runs 2,900 (docs/benchmarks.md, stop 20). verify, explore and heatmap make
 * thousands of runs in one thread, so the warmed figure is the one they see; the cold start of a
 * single run is `racelab run`'s start-up figure, measured on its own.
 */
export const WARM_UP_RUNS = 2000
