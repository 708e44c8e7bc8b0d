import {formatDuration} from './duration.js'
import type {Delay} from './delay.js'
import {formatDelay} from './delay-spec.js'
import {batchLayouts, type Scenario} from './scenario.js'

/**
 * The timings and shape a run actually used, after its seed drew the scenario's run-level
 * choices (the `random` scenario's relay skews and BOS's wake) and the flags overrode them: what
 * a user needs to see why seed 42 fails without reading the trace. Delays are in the `--delay`
 * grammar; a range is drawn again at every use (each poll, message, file), from the same seed.
 */
export interface RunParameters {
  relays: Record<'bos' | 'file' | 'els', {publishDelay: string; pollInterval: string; wake: boolean}>
  kafkaLatency: string
  elsHandling: string
  /** One value when every file shares it, else one per file position (f1, f2, ...). */
  fileProcessing: string
  uploadGap: string
  batchGap: string
  pendingTimeout: string
  partitions: number
}

export function runParameters(scenario: Scenario): RunParameters {
  const relay = (service: 'bos' | 'file' | 'els') => ({
    publishDelay: formatDelay(scenario.relays[service].publishDelay),
    pollInterval: formatDuration(scenario.relays[service].pollInterval),
    wake: scenario.relays[service].wake,
  })
  const files = Math.max(0, ...batchLayouts(scenario).map((b) => b.files.length))
  const perFile = Array.from({length: files}, (_, i) => formatDelay(scenario.processing(i)))
  const fileProcessing =
    new Set(perFile).size <= 1 ? (perFile[0] ?? formatDelay(scenario.processing(0))) : perFile.map((d, i) => `f${i + 1}=${d}`).join(' ')
  return {
    relays: {bos: relay('bos'), file: relay('file'), els: relay('els')},
    kafkaLatency: formatDelay(scenario.kafkaLatency),
    elsHandling: formatDelay(scenario.elsHandling),
    fileProcessing,
    uploadGap: formatDelay(scenario.uploadGap),
    batchGap: formatDelay(scenario.batchGap),
    pendingTimeout: formatDelay({kind: 'fixed', value: scenario.pendingTimeout} satisfies Delay),
    partitions: scenario.partitions,
  }
}
