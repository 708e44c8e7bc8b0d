import type {EventType} from '../domain/events.js'
import type {Micros} from '../kernel/time.js'
import type {ElsOutcome} from '../consumer/handled.js'

/** One simulated event: one line of the timeline, one JSON line of `--trace`. */
export type TraceEvent =
  | {t: Micros; svc: 'bos'; ev: 'batch-registered'; batch: string; essays: number; row: number}
  | {t: Micros; svc: 'file'; ev: 'upload-accepted'; batch: string; file: string}
  | {t: Micros; svc: 'file'; ev: 'upload-refused'; batch: string; file: string; reason: string}
  | {t: Micros; svc: 'file'; ev: 'file-committed'; batch: string; file: string; outcome: 'provisioned' | 'failed'; row: number}
  | {t: Micros; svc: string; ev: 'publish-failed'; row: number; error: string; retryIn: Micros}
  | {t: Micros; svc: string; ev: 'relay-crashed'; row: number; restartIn: Micros}
  /** A row's last allowed publish failed: the relay no longer reads it (live only: the simulator's outage sends nothing). */
  | {t: Micros; svc: string; ev: 'publish-given-up'; row: number; attempts: number; error: string}
  /** Live only: a relay's publish failed on a connection error after it had been publishing. */
  | {t: Micros; svc: string; ev: 'broker-unreachable'; error: string}
  /** Live only: a relay that had reported the broker unreachable published again. */
  | {t: Micros; svc: string; ev: 'broker-reachable'}
  | {t: Micros; svc: string; ev: 'els-crashed'; partition: number; offset: number; restartIn: Micros}
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
