/**
 * The processes the crash fault can stop (docs/domain.md#crashes): ELS (every instance), BOS, the
 * File Service and each outbox relay. A relay is its own process: BOS crashing leaves its relay
 * running, and the other way round.
 */
export const CRASH_TARGETS = ['els', 'bos', 'file', 'bos-relay', 'file-relay', 'els-relay'] as const

export type CrashTarget = (typeof CRASH_TARGETS)[number]

/**
 * Where the crash fault can stop a process (docs/domain.md#crashes), named for what was done
 * when it stopped:
 * - ELS: `before-handling` (a message taken, not handled), `after-transaction` (one of the
 *   handling's transactions committed, the rest of the handling not done), `after-handling` (the
 *   handling done, its offset not committed), `after-offset-commit`.
 * - A relay: `after-poll` (rows read, none published), `after-publish` (the broker acked,
 *   published_at not written), `after-mark` (published_at written, the next step not taken).
 * - BOS and the File Service: `before-commit` (the request in hand, nothing committed: for the
 *   File Service every upload it was processing is lost) and `after-commit` (the transaction
 *   committed, the client never got its answer). The client retries either way.
 */
export type ElsCrashPoint = 'before-handling' | 'after-transaction' | 'after-handling' | 'after-offset-commit'
export type RelayCrashPoint = 'after-poll' | 'after-publish' | 'after-mark'
export type ServiceCrashPoint = 'before-commit' | 'after-commit'
