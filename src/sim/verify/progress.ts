/** How far a verify run is: counted in runs (seeds) and in cells whose every seed has run. */
export interface Progress {
  runs: number
  totalRuns: number
  cellsDone: number
  totalCells: number
}

/** The progress line: `verify: 3120/6400 runs, 12 cells done`. */
export function formatProgress(progress: Progress): string {
  return `verify: ${progress.runs}/${progress.totalRuns} runs, ${progress.cellsDone} of ${progress.totalCells} cells done`
}

/** Counts finished chunks into progress. */
export class ProgressCounter {
  private runs = 0
  private cellsDone = 0
  private readonly left: number[]

  constructor(
    private readonly totalRuns: number,
    chunksPerCell: readonly number[],
  ) {
    this.left = [...chunksPerCell]
    this.cellsDone = this.left.filter((n) => n === 0).length
  }

  chunkDone(cell: number, seeds: number): Progress {
    this.runs += seeds
    if (--this.left[cell] === 0) this.cellsDone++
    return {runs: this.runs, totalRuns: this.totalRuns, cellsDone: this.cellsDone, totalCells: this.left.length}
  }
}
