import {describe, expect, it} from 'vitest'

import {ms} from '../../../src/sim/kernel/time.js'
import {BUILTIN_SCENARIOS} from '../../../src/sim/scenario/builtin-scenarios.js'
import {fixed, range} from '../../../src/sim/scenario/delay.js'
import {runParameters} from '../../../src/sim/scenario/run-parameters.js'
import {runSimulation} from '../../../src/sim/simulated/run-simulation.js'

describe('runParameters', () => {
  it('shows what the seed drew: the random scenario’s relay skews and BOS’s wake differ between seeds', () => {
    // Given / When: every seed of 1..40
    const drawn = Array.from({length: 40}, (_, i) => runSimulation({scenario: BUILTIN_SCENARIOS.get('random')!, strategy: 'naive', seed: i + 1}).result.parameters)

    // Then: the skews are the real system's, and both wake settings occur
    for (const p of drawn) {
      expect(['0', '500ms', '1s', '2s']).toContain(p.relays.bos.publishDelay)
      expect(['0', '500ms', '1s', '2s']).toContain(p.relays.file.publishDelay)
      expect(p.relays.file.wake).toBe(true)
    }
    expect(new Set(drawn.map((p) => p.relays.bos.wake))).toEqual(new Set([true, false]))
    expect(new Set(drawn.map((p) => `${p.relays.bos.publishDelay}/${p.relays.file.publishDelay}`)).size).toBeGreaterThan(4)
  })

  it('reflects the flags: a --delay override replaces the scenario’s value', () => {
    // When
    const {parameters} = runSimulation({
      scenario: BUILTIN_SCENARIOS.get('content-first')!,
      strategy: 'buffer',
      seed: 1,
      delays: [{target: 'bos-relay', delay: fixed(ms(3000))}, {target: 'kafka', delay: range(ms(2), ms(9))}],
    }).result

    // Then
    expect(parameters.relays.bos.publishDelay).toBe('3s')
    expect(parameters.kafkaLatency).toBe('2ms..9ms')
    expect(parameters.partitions).toBe(3)
    expect(parameters.pendingTimeout).toBe('24h')
  })

  it('lists processing per file position when the files differ', () => {
    // Given a scenario whose second file takes longer
    const scenario = {...BUILTIN_SCENARIOS.get('registration-first')!.build(undefined as never, {}), processing: (i: number) => fixed(ms(i === 1 ? 900 : 100))}

    // When / Then
    expect(runParameters(scenario).fileProcessing).toBe('f1=100ms f2=900ms')
    expect(runParameters({...scenario, processing: () => fixed(ms(100))}).fileProcessing).toBe('100ms')
  })
})
