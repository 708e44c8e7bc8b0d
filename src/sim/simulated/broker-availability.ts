import type {Micros} from '../kernel/time.js'

/** Windows of virtual time in which no broker answers (the broker-unavailable fault). */
export class BrokerAvailability {
  constructor(private readonly outages: readonly {from: Micros; to: Micros}[] = []) {}

  /** When the broker answers again, if it is down at `now`. */
  downUntil(now: Micros): Micros | undefined {
    for (const outage of this.outages) if (now >= outage.from && now < outage.to) return outage.to
    return undefined
  }
}
