import {quote} from '../printable.js'

/** Values encoded at a time: a large run makes millions of choices, and one array of them all is garbage the size of the schedule. */
const ENCODED_AT_ONCE = 4096

/**
 * A schedule is the list of a run's recorded choices. Its text form is short enough for a
 * command line: comma-separated base-36 numbers, e.g. `1,0,a,3`.
 */

export function encodeSchedule(schedule: readonly number[]): string {
  if (schedule.length <= ENCODED_AT_ONCE) return schedule.map((value) => value.toString(36)).join(',')
  const parts: string[] = []
  for (let start = 0; start < schedule.length; start += ENCODED_AT_ONCE) {
    parts.push(schedule.slice(start, start + ENCODED_AT_ONCE).map((value) => value.toString(36)).join(','))
  }
  return parts.join(',')
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
