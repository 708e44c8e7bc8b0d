import type {ExploreCounts} from '../sim/search/explore/explore.js'
import type {ExploreJson} from '../sim/search/explore/explore-json.js'
import {blank, type StyledLine} from './styled-line.js'
import {digitGroups} from '../sim/digit-groups.js'

/** `racelab explore`'s report: the scope, what was explored and pruned, and the verdict or the counterexample. */
export function exploreReport(json: ExploreJson): StyledLine[] {
  const {scope, counts} = json
  const shard = json.shard ? `, shard ${json.shard.index}/${json.shard.count}` : ''
  const lines: StyledLine[] = [
    {text: `racelab explore: scenario ${scope.scenario}, strategy ${scope.strategy}, seed ${scope.seed}${scope.args.length > 0 ? ` ${scope.args.join(' ')}` : ''}${shard}`, tone: 'bold'},
    {text: `bounds: at most ${scope.maxFaults} fault${scope.maxFaults === 1 ? '' : 's'} per run; delays at both ends: ${scope.vary.length > 0 ? scope.vary.join(', ') : 'none'} (the rest at their shortest); reduction ${scope.reduction ? 'on' : 'off'}, cache ${scope.cache ? 'on' : 'off'}`, tone: 'dim'},
    blank,
    ...countLines(counts, json.seconds),
    blank,
  ]
  if (json.counterexample) {
    const c = json.counterexample
    lines.push(
      {text: `FAIL: interleaving ${counts.interleavings} violates ${c.invariant} (batch ${c.batch})`, tone: 'fail'},
      {text: `  ${c.detail}`},
      {text: `  ${c.explanation}`},
      blank,
      {text: `reproduce (shrunk): ${c.reproduce}`, tone: 'dim'},
      {text: `reproduce (as found): ${c.found}`, tone: 'dim'},
    )
  } else if (json.exhaustive) {
    lines.push({text: `PASS: all ${counts.interleavings} interleavings hold every invariant${json.shard ? ' (in this shard; racelab merge joins the shards)' : ''}`, tone: 'pass'})
  } else {
    lines.push({text: `stopped after ${counts.runs} runs (--max-runs), not exhaustive: the ${counts.interleavings} interleavings explored hold every invariant`, tone: 'warn'})
  }
  return lines
}

/** What the search did: runs, interleavings, what the reduction and the cache pruned, the time. */
export function countLines(counts: ExploreCounts, seconds: number): StyledLine[] {
  const rate = seconds > 0 ? digitGroups(Math.round(counts.runs / seconds)) : '-'
  return [
    {text: `runs          ${digitGroups(counts.runs)} in ${seconds.toFixed(2)} s (${rate} runs/s), at most ${counts.deepest} choices deep`},
    {text: `interleavings ${digitGroups(counts.interleavings)} explored to the end and judged`},
    {text: `reduction     ${digitGroups(counts.skippedByReduction)} alternatives never tried (steps that commute), ${digitGroups(counts.cutByReduction)} runs cut (an order explored already)`},
    {text: `cache         ${digitGroups(counts.cutByCache)} runs cut at a state expanded before (${digitGroups(counts.states)} states)`},
    ...(counts.otherShards > 0 ? [{text: `other shards  ${digitGroups(counts.otherShards)} subtrees left to them`, tone: 'dim' as const}] : []),
  ]
}
