/**
 * Deterministic identifiers. Event ids are syntactically valid v4 UUIDs built from the seed and
 * a counter, so a trace never depends on a random source; business ids are short and readable
 * (`b1`, `b1-e2`, `b1-f3`) because developers read them in timelines and fixtures.
 */
export class IdSource {
  private counter = 0
  private readonly prefix: string

  constructor(seed: number) {
    this.prefix = `${(seed >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-`
  }

  eventId(): string {
    this.counter++
    // join, not +: it makes one flat string, where + makes a rope that keeps its parts alive in
    // every header and envelope that holds the id (a large run holds 500,000 of them).
    return [this.prefix, this.counter.toString(16).padStart(12, '0')].join('')
  }
}

export const batchId = (index: number): string => `b${index + 1}`
export const essayId = (batch: string, index: number): string => `${batch}-e${index + 1}`
export const fileUploadId = (batch: string, index: number): string => `${batch}-f${index + 1}`
export const textStorageId = (fileUpload: string): string => `text-${fileUpload}`
export const rawStorageId = (fileUpload: string): string => `raw-${fileUpload}`
