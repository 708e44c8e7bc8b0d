import type {Shard} from '../../verify/shard.js'

/**
 * `explore --shard K/N`: part K of the DFS tree (docs/architecture.md#explore). The first `depth`
 * branching choice points of a path (points with more than one alternative left to try) name its
 * subtree; a subtree goes to the shard its hash picks, so N shards explore every leaf once between
 * them, whatever order each explores in. The top of the tree (the runs that lead to those points)
 * is replayed by every shard; a path with fewer branching points belongs to the shard its hash picks.
 */
export interface ExploreShard extends Shard {
  depth: number
}

/** How many branching points name a subtree: enough that N shards get about equal parts. */
export function exploreShard(shard: Shard): ExploreShard {
  return {...shard, depth: Math.max(4, Math.ceil(Math.log2(shard.count)) + 4)}
}

/** Whether the subtree named by `branches` (the taken alternative at each branching point) is this shard's. */
export function inShard(shard: ExploreShard, branches: readonly number[]): boolean {
  let h = 0x811c_9dc5
  for (const branch of branches.slice(0, shard.depth)) {
    h ^= branch + 1
    h = Math.imul(h, 0x0100_0193)
  }
  return (h >>> 0) % shard.count === shard.index - 1
}
