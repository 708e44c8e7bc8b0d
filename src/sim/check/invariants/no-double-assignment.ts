import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type MessageOf, type ObservationIndex, eventIds} from '../observation-index.js'

type Assigned = MessageOf<typeof TOPICS.essaySlotAssigned>

/** Key -> (other side -> the messages pairing them), both levels in first-seen order. */
type Pairs = Map<string, Map<string, Assigned[]>>

function pair(pairs: Pairs, key: string, other: string, message: Assigned): void {
  let byOther = pairs.get(key)
  if (byOther === undefined) {
    byOther = new Map()
    pairs.set(key, byOther)
  }
  const messages = byOther.get(other)
  if (messages === undefined) byOther.set(other, [message])
  else messages.push(message)
}

/**
 * no-double-assignment: across all EssaySlotAssigned messages, one text_storage_id fills at most
 * one slot (essay_id) and one slot holds at most one text_storage_id. The same pair published
 * twice is a relay duplicate, not a double assignment.
 */
export function noDoubleAssignment(_obs: Observation, index: ObservationIndex): Violation[] {
  const slotsOfText: Pairs = new Map()
  const textsOfSlot: Pairs = new Map()
  for (const message of index.messages[TOPICS.essaySlotAssigned]) {
    const {essay_id: essayId, text_storage_id: textId} = message.envelope.data
    pair(slotsOfText, textId, essayId, message)
    pair(textsOfSlot, essayId, textId, message)
  }

  const violations: Violation[] = []
  const report = (pairs: Pairs, describe: (key: string, others: string[]) => string): void => {
    for (const [key, byOther] of pairs) {
      if (byOther.size < 2) continue
      const messages = [...byOther.values()].flat()
      violations.push({
        invariant: 'no-double-assignment',
        batchId: messages[0].envelope.data.batch_id,
        detail: describe(key, [...byOther.keys()]),
        events: eventIds(messages),
      })
    }
  }
  report(slotsOfText, (textId, slots) => `content ${textId} fills ${slots.length} slots: ${slots.join(', ')}`)
  report(textsOfSlot, (essayId, texts) => `slot ${essayId} holds ${texts.length} contents: ${texts.join(', ')}`)
  return violations
}
