import {InputError} from '../../input-error.js'
import type {ExploreCounts} from './explore.js'
import type {ExploreJson} from './explore-json.js'

/** Whether a `--json` is explore's (racelab merge joins explore shards as well as verify shards). */
export function isExploreJson(json: unknown): json is ExploreJson {
  const candidate = json as Partial<ExploreJson> | null
  return typeof candidate === 'object' && candidate !== null && typeof candidate.scope === 'object' && typeof candidate.counts === 'object'
}

/**
 * Joins the `--json` of `explore --shard 1/N .. N/N` into one report: the counts summed, exhaustive
 * when every shard was, and the counterexample of the first shard (by K) that found one. The shards
 * must be one split of one scope: the same scope and N, each K once. Each shard kept its own cache,
 * so the summed counts can exceed one unsharded search's; the interleavings judged are each once.
 */
export function mergeExploreShards(inputs: readonly {file: string; json: ExploreJson}[]): ExploreJson {
  const [first] = inputs
  const scope = JSON.stringify(first.json.scope)
  const count = first.json.shard?.count
  const byIndex = new Map<number, string>()
  for (const {file, json} of inputs) {
    if (json.shard === undefined || count === undefined) throw new InputError(`${file}: not the --json of racelab explore --shard K/N (it has no shard)`)
    if (json.shard.count !== count) throw new InputError(`${file}: shard ${json.shard.index}/${json.shard.count}, but ${first.file} is shard ${first.json.shard!.index}/${count}: shards of one split have the same N`)
    if (JSON.stringify(json.scope) !== scope) throw new InputError(`${file}: another scope than ${first.file}'s (scenario, strategy, seed, shaping flags or bounds): shards to merge come from one explore command`)
    const twin = byIndex.get(json.shard.index)
    if (twin !== undefined) throw new InputError(`${file} and ${twin} are both shard ${json.shard.index}/${count}: they overlap`)
    byIndex.set(json.shard.index, file)
  }
  const missing = Array.from({length: count!}, (_, i) => i + 1).filter((index) => !byIndex.has(index))
  if (missing.length > 0) throw new InputError(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: give every shard's --json`)
  const sorted = [...inputs].sort((a, b) => a.json.shard!.index - b.json.shard!.index).map((input) => input.json)
  const counts = sorted.reduce<ExploreCounts>(
    (sum, json) => ({
      runs: sum.runs + json.counts.runs,
      interleavings: sum.interleavings + json.counts.interleavings,
      cutByReduction: sum.cutByReduction + json.counts.cutByReduction,
      skippedByReduction: sum.skippedByReduction + json.counts.skippedByReduction,
      cutByCache: sum.cutByCache + json.counts.cutByCache,
      states: sum.states + json.counts.states,
      otherShards: 0,
      deepest: Math.max(sum.deepest, json.counts.deepest),
    }),
    {runs: 0, interleavings: 0, cutByReduction: 0, skippedByReduction: 0, cutByCache: 0, states: 0, otherShards: 0, deepest: 0},
  )
  const failing = sorted.find((json) => json.counterexample !== undefined)
  const exhaustive = sorted.every((json) => json.exhaustive)
  return {
    scope: first.json.scope,
    counts,
    exhaustive,
    stoppedBy: failing ? 'counterexample' : exhaustive ? 'end' : 'max-runs',
    verdict: failing ? 'fail' : 'pass',
    // The shards ran side by side: the slowest is how long the split took.
    seconds: Math.max(...sorted.map((json) => json.seconds)),
    ...(failing ? {counterexample: failing.counterexample} : {}),
  }
}
