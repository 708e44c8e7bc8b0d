import type {Chooser} from '../kernel/chooser.js'
import type {CrashTarget} from '../scenario/crash-target.js'
import type {Fault} from '../scenario/fault-spec.js'
import type {ServiceName} from '../sqlite/service-db.js'

/** The fault decisions of a run, one question each. */
export interface FaultDecisions {
  /** register-db-error: fail this registration midway? (absent: never) */
  registerDbError?: () => boolean
  /** consumer-crash-before-commit, per handled message. */
  crashBeforeCommit: () => boolean
  /** els-restart, per committed message. */
  restart: () => boolean
  /** relay-crash-after-publish, per acked row of a source. */
  relayCrash: (source: ServiceName) => boolean
  /** crash: does this process stop at this step boundary? (never draws for a process not named) */
  crash: (target: CrashTarget) => boolean
  /** publish-error: does the broker answer this send of a source's rows with an error? */
  publishError: (source: ServiceName) => boolean
}

/**
 * The questions a run's `--fault`s ask, answered by drawing from `chooserFor(kind)`: the shell
 * decides where the answers come from (the simulation: its one chooser; live: a stream per ELS
 * fault, so timers firing in another order do not move the answers). A question whose fault is
 * absent draws nothing, so adding a fault kind leaves the runs without it as they were.
 */
export function faultDecisions(faults: readonly Fault[], chooserFor: (kind: Fault['kind']) => Chooser): FaultDecisions {
  const percentOf = (kind: Fault['kind']): number =>
    faults.reduce((max, f) => (f.kind === kind && 'percent' in f ? Math.max(max, f.percent) : max), 0)
  const ask = (kind: Fault['kind']): (() => boolean) => {
    const percent = percentOf(kind)
    const chooser = chooserFor(kind)
    return () => chooser.percent(percent)
  }
  const relayCrash = faults.find((f) => f.kind === 'relay-crash-after-publish')
  const relayChooser = chooserFor('relay-crash-after-publish')
  const crashes = faults.flatMap((f) => (f.kind === 'crash' ? [f] : []))
  const crashChooser = chooserFor('crash')
  const crashPercent = (target: CrashTarget): number => crashes.reduce((max, f) => (f.targets.includes(target) ? Math.max(max, f.percent) : max), 0)
  const publishErrors = faults.flatMap((f) => (f.kind === 'publish-error' ? [f] : []))
  const publishChooser = chooserFor('publish-error')
  const errorPercent = (source: ServiceName): number => publishErrors.reduce((max, f) => (f.relays.includes(source) ? Math.max(max, f.percent) : max), 0)
  return {
    registerDbError: percentOf('register-db-error') > 0 ? ask('register-db-error') : undefined,
    crashBeforeCommit: ask('consumer-crash-before-commit'),
    restart: ask('els-restart'),
    relayCrash: (source) => relayChooser.percent(relayCrash && relayCrash.relays.includes(source) ? relayCrash.percent : 0),
    crash: (target) => crashChooser.percent(crashPercent(target)),
    publishError: (source) => publishChooser.percent(errorPercent(source)),
  }
}
