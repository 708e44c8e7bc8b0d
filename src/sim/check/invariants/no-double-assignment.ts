import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type MessageOf, type ObservationIndex} from '../observation-index.js'

type Assigned = MessageOf<typeof TOPICS.essaySlotAssigned>

/** How the check reads an EssaySlotAssigned: the pair it makes, and (only for a violation) its event id and batch. */
export interface AssignmentReader<M> {
  essayId(message: M): string
  textId(message: M): string
  eventId(message: M): string
  batchId(message: M): string
}

const OBSERVED: AssignmentReader<Assigned> = {
  essayId: (m) => m.envelope.data.essay_id,
  textId: (m) => m.envelope.data.text_storage_id,
  eventId: (m) => m.envelope.event_id,
  batchId: (m) => m.envelope.data.batch_id,
}

/**
 * no-double-assignment: across all EssaySlotAssigned messages, one text_storage_id fills at most
 * one slot (essay_id) and one slot holds at most one text_storage_id. The same pair published
 * twice is a relay duplicate, not a double assignment.
 */
export function noDoubleAssignment(_obs: Observation, index: ObservationIndex): Violation[] {
  return doubleAssignmentViolations(index.messages[TOPICS.essaySlotAssigned], OBSERVED)
}

/** Key -> (other side -> the messages pairing them), both levels in first-seen order. */
type Pairs<M> = Map<string, Map<string, M[]>>

/**
 * The check over any assignments, in broker order. One pass keeps each key's first partner and
 * notes the keys that met a second; only theirs are gathered whole: a large run's 250,000 pairs
 * cost two maps of strings, not a map of maps each.
 */
export function doubleAssignmentViolations<M>(assigned: readonly M[], read: AssignmentReader<M>): Violation[] {
  const slotOfText = new Map<string, string>()
  const textOfSlot = new Map<string, string>()
  const doubleTexts = new Set<string>()
  const doubleSlots = new Set<string>()
  for (const message of assigned) {
    const essayId = read.essayId(message)
    const textId = read.textId(message)
    const slot = slotOfText.get(textId)
    if (slot === undefined) slotOfText.set(textId, essayId)
    else if (slot !== essayId) doubleTexts.add(textId)
    const text = textOfSlot.get(essayId)
    if (text === undefined) textOfSlot.set(essayId, textId)
    else if (text !== textId) doubleSlots.add(essayId)
  }
  if (doubleTexts.size === 0 && doubleSlots.size === 0) return []

  const slotsOfText: Pairs<M> = new Map()
  const textsOfSlot: Pairs<M> = new Map()
  for (const message of assigned) {
    const essayId = read.essayId(message)
    const textId = read.textId(message)
    if (doubleTexts.has(textId)) pair(slotsOfText, textId, essayId, message)
    if (doubleSlots.has(essayId)) pair(textsOfSlot, essayId, textId, message)
  }
  const violations: Violation[] = []
  const report = (pairs: Pairs<M>, describe: (key: string, others: string[]) => string): void => {
    for (const [key, byOther] of pairs) {
      const messages = [...byOther.values()].flat()
      violations.push({
        invariant: 'no-double-assignment',
        batchId: read.batchId(messages[0]),
        detail: describe(key, [...byOther.keys()]),
        events: messages.map((m) => read.eventId(m)),
      })
    }
  }
  report(slotsOfText, (textId, slots) => `content ${textId} fills ${slots.length} slots: ${slots.join(', ')}`)
  report(textsOfSlot, (essayId, texts) => `slot ${essayId} holds ${texts.length} contents: ${texts.join(', ')}`)
  return violations
}

function pair<M>(pairs: Pairs<M>, key: string, other: string, message: M): void {
  let byOther = pairs.get(key)
  if (byOther === undefined) {
    byOther = new Map()
    pairs.set(key, byOther)
  }
  const messages = byOther.get(other)
  if (messages === undefined) byOther.set(other, [message])
  else messages.push(message)
}
