/**
 * Notices a kafkajs consumer that fetches in a loop that never yields to the event loop. With
 * every broker of a cluster gone, kafkajs 2.2.4's fetcher can resolve each fetch without I/O
 * (kafkajs issues #1384 and #1387): the loop then runs on microtasks only, no timer fires again,
 * and the whole process hangs at full CPU, racelab's deadlines included. A real fetch waits for
 * the broker or for maxWaitTime, so a healthy consumer never starts many fetches within one turn
 * of the event loop; `fetched()` says when this one has.
 */
export class FetchSpinGuard {
  private sinceLastTurn = 0

  constructor(readonly limit = 10_000) {}

  /** Call on every fetch start: true once `limit` fetches started without the loop turning. */
  fetched(): boolean {
    // The first fetch of a turn schedules the reset; a spinning loop never lets it run.
    if (this.sinceLastTurn++ === 0) setImmediate(() => (this.sinceLastTurn = 0))
    return this.sinceLastTurn > this.limit
  }
}
