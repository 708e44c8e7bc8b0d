import {connect, Socket} from 'node:net'
import {connect as connectTls} from 'node:tls'

import type {ISocketFactory} from 'kafkajs'

/**
 * The soak's broker restart, as the relays see one: `close()` resets every open connection to the
 * brokers and refuses new ones (ECONNREFUSED, as from a broker whose process is down) until
 * `open()`. The brokers themselves keep running and keep their log, as a restarted Kafka broker
 * keeps its log on disk.
 *
 * Why not restart the broker itself: librdkafka's mock cluster (kcat) exposes none of its broker
 * controls, and a new kcat process is a new, empty cluster on new random ports (its log lives in
 * the old process's memory), so what the relays published could no longer be counted. Cutting
 * the client's connections is what the relays would observe of a restart, on any cluster, without
 * touching a cluster racelab may not own (docs/benchmarks.md, Soak).
 */
export class ConnectionGate {
  /** Connections refused while closed, and connections reset by `close()`. */
  refused = 0
  reset = 0
  private closed = false
  private readonly sockets = new Set<Socket>()

  readonly socketFactory: ISocketFactory = ({host, port, ssl, onConnect}) => {
    if (this.closed) {
      this.refused++
      const socket = new Socket()
      const error = Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (soak: broker restarting)`), {code: 'ECONNREFUSED'})
      process.nextTick(() => socket.destroy(error))
      return socket
    }
    const socket = ssl ? connectTls({host, port, ...ssl}, onConnect) : connect({host, port}, onConnect)
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    return socket
  }

  get isClosed(): boolean {
    return this.closed
  }

  close(): void {
    this.closed = true
    for (const socket of this.sockets) {
      this.reset++
      // With an error, as a reset connection ends: kafkajs listens for 'error', not 'close'.
      socket.destroy(Object.assign(new Error('read ECONNRESET (soak: broker restarting)'), {code: 'ECONNRESET'}))
    }
    this.sockets.clear()
  }

  open(): void {
    this.closed = false
  }
}
