import type {DelaySetting, WakeSetting} from './delay-spec.js'
import type {Scenario} from './scenario.js'

/** User settings laid over a scenario (`--delay`, `--wake`): the last one for a target wins. */
export interface ScenarioOverrides {
  delays?: readonly DelaySetting[]
  wakes?: readonly WakeSetting[]
}

export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const result: Scenario = {
    ...scenario,
    relays: {bos: {...scenario.relays.bos}, file: {...scenario.relays.file}, els: {...scenario.relays.els}},
  }
  for (const {target, delay} of overrides.delays ?? []) {
    const fixedValue = delay.kind === 'fixed' ? delay.value : 0
    switch (target) {
      case 'bos-relay':
      case 'file-relay':
      case 'els-relay':
        result.relays[target.slice(0, -'-relay'.length) as 'bos' | 'file' | 'els'].publishDelay = delay
        break
      case 'bos-poll':
      case 'file-poll':
      case 'els-poll':
        result.relays[target.slice(0, -'-poll'.length) as 'bos' | 'file' | 'els'].pollInterval = fixedValue
        break
      case 'kafka':
        result.kafkaLatency = delay
        break
      case 'els':
        result.elsHandling = delay
        break
      case 'file-processing':
        result.processing = () => delay
        break
      case 'upload-gap':
        result.uploadGap = delay
        break
      case 'batch-gap':
        result.batchGap = delay
        break
      case 'pending-timeout':
        result.pendingTimeout = fixedValue
        break
    }
  }
  for (const {service, wake} of overrides.wakes ?? []) result.relays[service].wake = wake
  return result
}
