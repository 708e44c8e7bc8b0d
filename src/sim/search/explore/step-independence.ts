import type {Routing} from '../../domain/routing.js'

/**
 * Which kernel steps commute, from their labels (`actor:what`, kernel/simulation.ts): explore's
 * partial-order reduction (docs/architecture.md#explore). Each kind of step touches a fixed set of
 * state; two steps of different actors commute when no piece of state one writes is touched by the
 * other, so either order at one instant reaches the same state (up to the names of event ids, which
 * come from one counter and which no invariant reads).
 *
 * - `bos` (the client's registration at BOS): BOS's batches and outbox, and BOS's relay's wake-up.
 * - `file` (an upload, its processing and commit): reads BOS's batches (does BOS know the batch?),
 *   writes the File Service's database and its relay's wake-up.
 * - a relay (`bos-relay`, `file-relay`, `els-relay`, `coordinated-relay`): its outbox and its own
 *   loop; a step that sends (`publish`, `ack-send`) also appends to its topics' partitions and
 *   wakes ELS's members when ELS consumes them. A `poll` or an `ack` that sends nothing touches no
 *   broker. Two relays' sends commute unless they share partitions (the shared topic).
 * - an ELS instance (`els`, `els-N`, and ELS's expiry timer): ELS's database, ELS's relay's
 *   wake-up, the group's offsets and members; it reads the partitions it consumes.
 * With a broker latency above zero a send made at an instant is visible only later, and its
 * wake-up only brings a member's fetch forward to then: a send and an ELS step at one instant
 * then commute too. Any step without a label depends on every step.
 */
export class StepIndependence {
  constructor(
    private readonly routing: Routing,
    /** The broker's shortest latency in the run: above 0, a send is never seen at the instant it is made. */
    private readonly minLatency: number,
  ) {}

  commute(a: string, b: string): boolean {
    const actorA = actorOf(a)
    const actorB = actorOf(b)
    if (actorA === undefined || actorB === undefined || actorA === actorB) return false
    const touchedA = footprint(actorA, whatOf(a), this.routing)
    const touchedB = footprint(actorB, whatOf(b), this.routing)
    if (touchedA === undefined || touchedB === undefined) return false
    for (const [state, mode] of touchedA) {
      const other = touchedB.get(state)
      if (other !== undefined && !this.modesCommute(mode, other)) return false
    }
    return true
  }

  /**
   * An option of a tie of ready steps that is a persistent set on its own, or undefined: a step
   * that commutes with every other tied step and with every step those can start at this same
   * instant (a zero delay: a relay woken by its writer, a send after no publish delay, ...). Only
   * steps of this instant can run before it, so exploring it alone misses no state.
   */
  persistent(labels: readonly string[]): number | undefined {
    for (let i = 0; i < labels.length; i++) {
      const ok = labels.every((other, j) => j === i || (this.commute(labels[i], other) && this.startsAtOnce(other).every((started) => this.commute(labels[i], started))))
      if (ok) return i
    }
    return undefined
  }

  /** Labels standing for every step a step of this label's actor can start at its own instant, transitively. */
  private startsAtOnce(label: string): string[] {
    const actor = actorOf(label)
    if (actor === undefined) return ['?']
    const seen = new Set<string>([actor])
    const queue = [actor]
    while (queue.length > 0) {
      for (const next of startsNow(queue.pop()!, this.minLatency)) {
        if (!seen.has(next)) {
          seen.add(next)
          queue.push(next)
        }
      }
    }
    // Each actor's step with its widest footprint (a relay's send).
    return [...seen].map((a) => (a.endsWith('-relay') ? `${a}:publish` : `${a}:any`))
  }

  private modesCommute(a: Mode, b: Mode): boolean {
    if (a === 'read' && b === 'read') return true
    if (a === 'wake' && b === 'wake') return true
    if (this.minLatency > 0 && ((a === 'append' && b === 'read') || (a === 'read' && b === 'append'))) return true
    if (this.minLatency > 0 && ((a === 'wake' && b === 'write') || (a === 'write' && b === 'wake'))) return true
    return false
  }
}

/** The actor of a step's label: what comes before the first colon. */
export function actorOf(label: string): string | undefined {
  const colon = label.indexOf(':')
  return colon > 0 ? label.slice(0, colon) : undefined
}

/** What a step does: the label's second part (`poll`, `ack`, `handle`). */
function whatOf(label: string): string {
  return label.split(':')[1] ?? ''
}

const isEls = (actor: string): boolean => actor === 'els' || /^els-\d+$/.test(actor)

/** The actors whose steps a step of `actor` can schedule at its own instant (zero delays, taken conservatively). */
function startsNow(actor: string, minLatency: number): string[] {
  if (actor === 'bos') return ['bos', 'bos-relay', 'coordinated-relay']
  if (actor === 'file') return ['file', 'file-relay', 'coordinated-relay']
  if (actor.endsWith('-relay')) return minLatency > 0 || actor === 'els-relay' ? [actor] : [actor, 'els']
  // One ELS instance's crash rebalances the group: every instance fetches again.
  if (isEls(actor)) return ['els', 'els-relay']
  return ['?']
}

/** How a step touches a piece of state. `append`: adds a message; `wake`: only brings a member's fetch forward. */
type Mode = 'read' | 'write' | 'append' | 'wake'

function footprint(actor: string, what: string, routing: Routing): Map<string, Mode> | undefined {
  // On the shared topic BOS's and the File Service's events share partitions (partition-key).
  const topicsOf = (service: 'bos' | 'file'): string => (routing === 'shared-topic' ? 'topics:shared' : `topics:${service}`)
  const sends = what === 'publish' || what === 'ack-send'
  switch (actor) {
    case 'bos':
      return new Map([['bos:batches', 'write'], ['bos:outbox', 'write'], ['relay:bos', 'write']])
    case 'file':
      return new Map([['bos:batches', 'read'], ['file:db', 'write'], ['relay:file', 'write']])
    case 'bos-relay':
    case 'file-relay':
    case 'els-relay': {
      const service = actor.slice(0, -'-relay'.length)
      const outbox = service === 'bos' ? 'bos:outbox' : service === 'file' ? 'file:db' : 'els:db'
      const own: [string, Mode][] = [[outbox, 'write'], [`relay:${service}`, 'write']]
      if (!sends) return new Map(own)
      if (service === 'els') return new Map([...own, ['topics:els', 'append']])
      return new Map([...own, [topicsOf(service as 'bos' | 'file'), 'append'], ['els:members', 'wake']])
    }
    case 'coordinated-relay':
      return new Map([
        ['bos:outbox', 'write'],
        ['file:db', 'write'],
        ['relay:bos', 'write'],
        ['relay:file', 'write'],
        [topicsOf('bos'), 'append'],
        [topicsOf('file'), 'append'],
        ['els:members', 'wake'],
      ])
    default:
      if (isEls(actor)) {
        return new Map([['els:db', 'write'], ['relay:els', 'write'], ['els:members', 'write'], ['els:group', 'write'], [topicsOf('bos'), 'read'], [topicsOf('file'), 'read']])
      }
      return undefined
  }
}
