import {describe, expect, it} from 'vitest'

import {BUILTIN_SCENARIOS, SCENARIO_NAMES} from '../../../src/sim/scenario/builtin-scenarios.js'
import {STRATEGY_NAMES} from '../../../src/sim/scenario/strategy.js'
import {CI_FAULTS, CI_MATRIX, describeMatrix} from '../../../src/sim/verify/ci-matrix.js'
import {buildCells, MULTI_BATCH, selectMatrix, selectNames, totalRuns, userBlocks, type MatrixSpec} from '../../../src/sim/verify/matrix.js'

const NO_SHAPE = {'els-instances': 1}
const plainShape = () => ({options: {}, args: []})

function select(selection: Parameters<typeof selectMatrix>[0]): MatrixSpec {
  const result = selectMatrix(selection)
  if (!result.ok) throw new Error(result.error)
  return result.value
}

describe('the verify matrix', () => {
  it('defaults to every scenario × every strategy × seeds 1..200', () => {
    // When
    const spec = select({shape: NO_SHAPE})
    const cells = buildCells([spec], plainShape)
    // Then
    expect(spec).toMatchObject({scenarios: SCENARIO_NAMES, strategies: STRATEGY_NAMES, seedStart: 1, seeds: 200})
    expect(cells).toHaveLength(SCENARIO_NAMES.length * STRATEGY_NAMES.length)
    expect(totalRuns(cells)).toBe(cells.length * 200)
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i))
  })

  it('narrows by repeated and comma-separated names, in the known order, each once', () => {
    // When
    const spec = select({scenarios: ['random,content-first', 'content-first'], strategies: ['buffer', 'naive'], seeds: 7, seedStart: 40, shape: NO_SHAPE})
    const cells = buildCells([spec], plainShape)
    // Then
    expect(cells.map((c) => `${c.scenario}/${c.strategy}/${c.seedStart}/${c.seeds}`)).toEqual([
      'content-first/naive/40/7',
      'content-first/buffer/40/7',
      'random/naive/40/7',
      'random/buffer/40/7',
    ])
  })

  it('gives each cell its scenario’s expectation for its strategy', () => {
    // When
    const cells = buildCells([select({scenarios: ['content-first'], shape: NO_SHAPE})], plainShape)
    // Then
    for (const cell of cells) expect(cell.expectation).toBe(BUILTIN_SCENARIOS.get('content-first')!.expect[cell.strategy])
    expect(cells.find((c) => c.strategy === 'naive')!.expectation.outcome).toBe('fail')
  })

  it.each([
    [{scenarios: ['nope']}, '--scenario: unknown scenario "nope"'],
    [{strategies: ['naive,magic']}, '--strategy: unknown strategy "magic"'],
    [{scenarios: ['content-first,']}, '--scenario: an empty scenario name'],
    [{seedStart: 9_007_199_254_740_992}, '--seed-start 9007199254740992: a seed is from 0 to 4294967295'],
    [{seedStart: 4_294_967_296}, '--seed-start 4294967296: a seed is from 0 to 4294967295'],
    [{seedStart: 4_294_967_000, seeds: 1000}, 'the last seed would be 4294967999, past 4294967295'],
  ])('refuses %j', (selection, error) => {
    // When
    const result = selectMatrix({...selection, shape: NO_SHAPE})
    // Then
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toContain(error)
  })

  it('selects everything when nothing is requested', () => {
    expect(selectNames('strategy', STRATEGY_NAMES, [])).toEqual({ok: true, value: STRATEGY_NAMES})
  })

  it('the CI matrix covers every cell once plus the fix under every fault with 3 ELS instances', () => {
    // When
    const cells = buildCells(CI_MATRIX, plainShape)
    const faulted = CI_MATRIX.find((spec) => spec.shape.fault !== undefined)!
    // Then
    expect(faulted.strategies).toEqual(['buffer'])
    expect(faulted.shape).toEqual({fault: CI_FAULTS, 'els-instances': 3})
    expect(faulted.scenarios).toContain('random')
    expect(CI_FAULTS.map((f) => f.split(/[=@]/)[0]).sort()).toEqual(
      ['broker-unavailable', 'consumer-crash-before-commit', 'crash', 'els-restart', 'publish-error', 'register-db-error', 'relay-crash-after-publish'].sort(),
    )
    // A smoke check: a bound on its size keeps it a few seconds (docs/benchmarks.md has the time)
    expect(totalRuns(cells)).toBeLessThanOrEqual(2500)
    expect(describeMatrix(CI_MATRIX).join('\n')).toContain('--fault broker-unavailable=1s..2s')
    for (const line of describeMatrix(CI_MATRIX)) expect(line.length).toBeLessThanOrEqual(78)
  })

  it('a user matrix without shaping flags runs its cells again with 3 batches in flight; a shaped one as asked', () => {
    // Given
    const plain = select({scenarios: ['content-first'], strategies: ['buffer'], seeds: 5, shape: NO_SHAPE})
    const shaped = select({scenarios: ['content-first'], strategies: ['buffer'], seeds: 5, shape: {...NO_SHAPE, essays: 4}})

    // When
    const blocks = userBlocks(plain)

    // Then
    expect(blocks.map((b) => [b.label, b.shape.batches])).toEqual([
      [undefined, undefined],
      ['3 batches', MULTI_BATCH],
    ])
    expect(userBlocks(shaped)).toEqual([shaped])
    expect(userBlocks(select({shape: {...NO_SHAPE, delay: ['kafka=1ms']}}))).toHaveLength(1)
  })

  it('the CI matrix reaches the shapes: several batches under every strategy, an invalid upload anywhere, a batch past one poll and one drain', () => {
    // When
    const cells = buildCells(CI_MATRIX, plainShape)
    const blocks = CI_MATRIX.filter((spec) => spec.shape.fault === undefined)

    // Then
    expect(blocks.some((b) => (b.shape.batches ?? 1) > 1 && b.strategies.length === STRATEGY_NAMES.length && b.scenarios.length >= SCENARIO_NAMES.length - 1)).toBe(true)
    expect(blocks.some((b) => (b.shape.invalid ?? 0) > 0 && (b.shape.batches ?? 1) > 1 && b.strategies.includes('buffer'))).toBe(true)
    const big = blocks.find((b) => (b.shape.essays ?? 0) > 100)!
    expect(big.scenarios).toEqual(expect.arrayContaining(['content-first', 'never-registered']))
    expect(cells.filter((c) => c.scenario === 'never-registered').length).toBeGreaterThanOrEqual(STRATEGY_NAMES.length)
  })

  it('refuses --invalid beyond the files of a cell’s batches before running anything', () => {
    // Given: large-batch uploads 25 files a batch, the others 2 or 3
    const spec = select({scenarios: ['content-first', 'large-batch'], shape: {...NO_SHAPE, invalid: 3}})

    // When / Then
    expect(() => buildCells([spec], () => ({options: {invalid: 3}, args: []}))).toThrow('--invalid 3: more than the 2 files a batch of content-first uploads')
    expect(() => buildCells([{...spec, scenarios: ['large-batch']}], () => ({options: {invalid: 3}, args: []}))).not.toThrow()
  })
})
