import {INVARIANTS, type InvariantName} from '../check/invariant.js'

/** One seed's outcome, kept as evidence: the seed and the invariants it violated (none: it passed). */
export interface SeedOutcome {
  seed: number
  invariants: readonly InvariantName[]
}

/**
 * What a range of seeds of one cell did. Tallies merge (sums and the lowest seed), so a cell's
 * tally is the same whatever the chunking and whichever chunk finished first.
 */
export interface CellTally {
  runs: number
  failures: number
  /** Failing seeds per violated invariant. */
  invariants: Partial<Record<InvariantName, number>>
  /** Failing seeds that violated every invariant the expectation names. */
  expectedFailures: number
  firstFailure?: SeedOutcome
  /** The first seed that did not fail with every named invariant (a 'fail' expectation's counter-evidence). */
  firstMiss?: SeedOutcome
}

export function emptyTally(): CellTally {
  return {runs: 0, failures: 0, invariants: {}, expectedFailures: 0}
}

/** Adds one run: `violated` as reported by the checker, `named` from the cell's expectation. */
export function recordRun(tally: CellTally, seed: number, violated: readonly InvariantName[], named: readonly InvariantName[]): CellTally {
  const distinct = INVARIANTS.filter((name) => violated.includes(name))
  const outcome: SeedOutcome = {seed, invariants: distinct}
  const failed = distinct.length > 0
  const expected = failed && named.every((name) => distinct.includes(name))
  const run: CellTally = {
    runs: 1,
    failures: failed ? 1 : 0,
    invariants: Object.fromEntries(distinct.map((name) => [name, 1])),
    expectedFailures: expected ? 1 : 0,
    firstFailure: failed ? outcome : undefined,
    firstMiss: expected ? undefined : outcome,
  }
  return mergeTallies(tally, run)
}

/** Combines two tallies of the same cell: associative and commutative. */
export function mergeTallies(a: CellTally, b: CellTally): CellTally {
  const invariants: Partial<Record<InvariantName, number>> = {}
  for (const name of INVARIANTS) {
    const count = (a.invariants[name] ?? 0) + (b.invariants[name] ?? 0)
    if (count > 0) invariants[name] = count
  }
  return {
    runs: a.runs + b.runs,
    failures: a.failures + b.failures,
    invariants,
    expectedFailures: a.expectedFailures + b.expectedFailures,
    firstFailure: earlier(a.firstFailure, b.firstFailure),
    firstMiss: earlier(a.firstMiss, b.firstMiss),
  }
}

function earlier(a: SeedOutcome | undefined, b: SeedOutcome | undefined): SeedOutcome | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return b.seed < a.seed ? b : a
}
