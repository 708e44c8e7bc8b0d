import type {EventType, ExcessReason} from '../domain/events.js'

/** What handling one message did: a discriminated union, one line of a timeline each. */
export type ElsOutcome =
  | {kind: 'registered'; batchId: string; slots: number; drained: number}
  | {kind: 'already-registered'; batchId: string}
  | {kind: 'assigned'; batchId: string; essayId: string; textStorageId: string}
  | {kind: 'excess'; batchId: string; textStorageId: string; reason: ExcessReason}
  | {kind: 'failure-counted'; batchId: string; fileUploadId: string}
  | {kind: 'failure-lost'; batchId: string; fileUploadId: string}
  | {kind: 'buffered'; batchId: string; ref: string}
  | {kind: 'duplicate'; batchId: string; why: string}
  | {kind: 'dead-lettered'; error: string}
  /** A user's handler (docs/handlers.md) handled it: which call, and the id it was about; what it emitted is `ElsHandled.emitted`. */
  | {kind: 'handler'; batchId: string; call: HandlerCall; ref: string}

/** The handler call a message (or the timer) became. */
export type HandlerCall = 'onRegistered' | 'onContent' | 'onValidationFailed' | 'onTimer'

export interface ElsHandled {
  outcome: ElsOutcome
  /** Event types ELS wrote to its outbox in the same transaction. */
  emitted: EventType[]
  /** True when this message completed its batch (BatchEssaysReady written). */
  completed: boolean
}
