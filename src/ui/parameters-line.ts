import type {RunParameters} from '../sim/scenario/run-parameters.js'

/** The parameters as `--delay`/`--wake` settings, one line: `bos-relay=2s file-relay=0 ... partitions=3`. */
export function formatParameters(p: RunParameters): string {
  const wake = (on: boolean): string => (on ? 'on' : 'off')
  return [
    `bos-relay=${p.relays.bos.publishDelay}`,
    `file-relay=${p.relays.file.publishDelay}`,
    `els-relay=${p.relays.els.publishDelay}`,
    `bos-poll=${p.relays.bos.pollInterval}`,
    `file-poll=${p.relays.file.pollInterval}`,
    `els-poll=${p.relays.els.pollInterval}`,
    `wake bos=${wake(p.relays.bos.wake)} file=${wake(p.relays.file.wake)} els=${wake(p.relays.els.wake)}`,
    `kafka=${p.kafkaLatency}`,
    `els=${p.elsHandling}`,
    `file-processing=${p.fileProcessing}`,
    `upload-gap=${p.uploadGap}`,
    `batch-gap=${p.batchGap}`,
    `pending-timeout=${p.pendingTimeout}`,
    `partitions=${p.partitions}`,
  ].join('  ')
}
