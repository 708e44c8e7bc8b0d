import {quote} from '../printable.js'

/**
 * A schedule is the list of a run's recorded choices. Its text form is short enough for a
 * command line: comma-separated base-36 numbers, e.g. `1,0,a,3`.
 */
export function encodeSchedule(schedule: readonly number[]): string {
  return schedule.map((value) => value.toString(36)).join(',')
}

export function decodeSchedule(text: string): number[] {
  if (text.trim() === '') return []
  return text.split(',').map((part, index) => {
    const trimmed = part.trim()
    if (!/^[0-9a-z]+$/.test(trimmed)) {
      throw new RangeError(`schedule item ${index + 1} is ${quote(part)}, expected a base-36 number`)
    }
    return Number.parseInt(trimmed, 36)
  })
}
