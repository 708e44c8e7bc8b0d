import {TOPICS} from '../../domain/topics.js'
import type {Violation} from '../invariant.js'
import type {Observation} from '../observation.js'
import {type MessageOf, type ObservationIndex, eventIds, plural, views} from '../observation-index.js'

type Excess = MessageOf<typeof TOPICS.excessContentProvisioned>

/**
 * no-false-excess: content is reported excess (NO_AVAILABLE_SLOT) only when its batch had more
 * files than slots, at most `max(0, uploads - expected)` distinct contents per batch; and a
 * batch BOS committed is never reported BATCH_NEVER_REGISTERED.
 *
 * Excess reports are counted per distinct text_storage_id: a relay re-send of the same report
 * (or a redelivered excess content reported again) is the same content, not one more false
 * excess. The first `allowed` distinct contents in broker append order are the legitimate ones.
 */
export function noFalseExcess(_obs: Observation, index: ObservationIndex): Violation[] {
  const violations: Violation[] = []
  for (const view of views(index)) {
    const noSlot = new Map<string, Excess[]>()
    const neverRegistered = new Map<string, Excess[]>()
    for (const message of view.messages[TOPICS.excessContentProvisioned]) {
      const byText = message.envelope.data.reason === 'NO_AVAILABLE_SLOT' ? noSlot : neverRegistered
      const textId = message.envelope.data.text_storage_id
      const same = byText.get(textId)
      if (same === undefined) byText.set(textId, [message])
      else same.push(message)
    }

    const expected = view.batch?.expectedEssays ?? 0
    const uploads = view.uploads.length
    const allowed = Math.max(0, uploads - expected)
    const falseNoSlot = [...noSlot.entries()].slice(allowed)
    if (falseNoSlot.length > 0) {
      const texts = falseNoSlot.map(([textId]) => textId)
      const slots = view.batch === undefined ? 'a batch BOS never committed' : plural(expected, 'slot')
      violations.push({
        invariant: 'no-false-excess',
        batchId: view.batchId,
        detail:
          `${plural(noSlot.size, 'content')} reported excess (NO_AVAILABLE_SLOT) but only ${allowed} allowed ` +
          `(${plural(uploads, 'file')} for ${slots}); falsely excess: ${texts.join(', ')}`,
        events: falseNoSlot.flatMap(([, messages]) => eventIds(messages)),
      })
    }

    if (view.batch !== undefined && neverRegistered.size > 0) {
      const texts = [...neverRegistered.keys()]
      violations.push({
        invariant: 'no-false-excess',
        batchId: view.batchId,
        detail:
          `${plural(texts.length, 'content')} reported excess (BATCH_NEVER_REGISTERED) although BOS ` +
          `committed the batch: ${texts.join(', ')}`,
        events: [...neverRegistered.values()].flatMap(eventIds),
      })
    }
  }
  return violations
}
