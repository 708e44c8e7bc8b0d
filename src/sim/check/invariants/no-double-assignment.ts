import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type MessageOf, type ObservationIndex} from '../observation-index.js'
import {compareStrings} from '../../code-unit-order.js'

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
 * The check over any assignments, in broker order. It first finds the keys that met a second
 * partner, and gathers only theirs whole: a large run's 250,000 pairs are sorted, not mapped.
 */
export function doubleAssignmentViolations<M>(assigned: readonly M[], read: AssignmentReader<M>): Violation[] {
  const doubleTexts = keysWithTwoPartners(assigned, read.textId, read.essayId)
  const doubleSlots = keysWithTwoPartners(assigned, read.essayId, read.textId)
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

/**
 * The keys paired with more than one partner. Sorted by key, a key with two partners has two of
 * its messages side by side that differ; a map from each key to its first partner held 250,000
 * entries, and as much again while it grew, for a check that usually finds nothing.
 */
function keysWithTwoPartners<M>(messages: readonly M[], key: (message: M) => string, partner: (message: M) => string): Set<string> {
  const byKey = Uint32Array.from(messages, (_, i) => i).sort((a, b) => compareStrings(key(messages[a]), key(messages[b])))
  const found = new Set<string>()
  for (let i = 1; i < byKey.length; i++) {
    const here = messages[byKey[i]]
    const before = messages[byKey[i - 1]]
    if (key(here) === key(before) && partner(here) !== partner(before)) found.add(key(here))
  }
  return found
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
