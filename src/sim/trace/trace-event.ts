import type {EventType} from '../domain/events.js'
import type {Micros} from '../kernel/time.js'
import type {ElsOutcome} from '../consumer/handled.js'
import type {ElsCrashPoint, RelayCrashPoint, ServiceCrashPoint} from '../scenario/crash-target.js'

/** One simulated event: one line of the timeline, one JSON line of `--trace`. */
export type TraceEvent =
  | {t: Micros; svc: 'bos'; ev: 'batch-registered'; batch: string; essays: number; row: number}
  | {t: Micros; svc: 'file'; ev: 'upload-accepted'; batch: string; file: string}
  | {t: Micros; svc: 'file'; ev: 'upload-refused'; batch: string; file: string; reason: string}
  | {t: Micros; svc: 'file'; ev: 'file-committed'; batch: string; file: string; outcome: 'provisioned' | 'failed'; row: number}
  | {t: Micros; svc: string; ev: 'publish-failed'; row: number; error: string; retryIn: Micros}
  /** A row's last allowed publish failed: it stays unpublished with its last_error, and the relay no longer reads it. */
  | {t: Micros; svc: string; ev: 'publish-given-up'; row: number; attempts: number; error: string}
  /** Live only: a relay's publish failed on a connection error after it had been publishing. */
  | {t: Micros; svc: string; ev: 'broker-unreachable'; error: string}
  /** Live only: a relay that had reported the broker unreachable published again. */
  | {t: Micros; svc: string; ev: 'broker-reachable'}
  /** `point` is set by the crash fault; relay-crash-after-publish leaves it out. */
  | {t: Micros; svc: string; ev: 'relay-crashed'; row: number; restartIn: Micros; point?: RelayCrashPoint}
  /** `point` is set by the crash fault; consumer-crash-before-commit leaves it out. */
  | {t: Micros; svc: string; ev: 'els-crashed'; partition: number; offset: number; restartIn: Micros; point?: ElsCrashPoint}
  /**
   * BOS or the File Service crashed (the crash fault) while serving the client's request for
   * `batch` (and `file`); `interrupted`: the other uploads the File Service lost mid-processing.
   * The client sends each again once the service is back.
   */
  | {t: Micros; svc: 'bos' | 'file'; ev: 'crashed'; point: ServiceCrashPoint; batch: string; file?: string; interrupted?: string[]; restartIn: Micros}
  | {t: Micros; svc: string; ev: 'els-restarted'; restartIn: Micros}
  | {t: Micros; svc: string; ev: 'els-rejoined'; partitions: number}
  | {t: Micros; svc: string; ev: 'handle-failed'; type: string; partition: number; offset: number; error: string; retryIn: Micros}
  | {t: Micros; svc: string; ev: 'commit-rejected'; partition: number; offset: number}
  | {
      t: Micros
      /** `bos-relay`, `file-relay`, `els-relay` or `coordinated-relay`. */
      svc: string
      ev: 'published'
      type: EventType
      key: string
      row: number
      partition: number
      offset: number
      eventId: string
    }
  | {
      t: Micros
      /** `els`, or `els-N` with several instances. */
      svc: string
      ev: 'handled'
      type: string
      partition: number
      offset: number
      outcome: ElsOutcome
      emitted: EventType[]
    }
  | {t: Micros; svc: 'els'; ev: 'expired'; batch: string; kind: 'content' | 'failure'; ref: string}
