import {createServer} from 'node:http'

import {InputError} from '../sim/input-error.js'

/** The Prometheus text exposition format's content type (version 0.0.4). */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one the system gave for 0). */
  port: number
  close(): Promise<void>
}

/**
 * `run --kafka ... --metrics-port PORT`: serves `render()` at http://127.0.0.1:PORT/metrics (and
 * at /) while a live run runs, for a Prometheus to scrape. Only on the loopback interface: a run's
 * metrics are for the person running it. A port that cannot be bound is bad input, exit 2.
 */
export function serveMetrics(port: number, render: () => string): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      response.writeHead(404, {'content-type': 'text/plain'}).end('racelab serves /metrics\n')
      return
    }
    response.writeHead(200, {'content-type': CONTENT_TYPE}).end(render())
  })
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new InputError(`--metrics-port ${port}: cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`)))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      })
    })
  })
}
