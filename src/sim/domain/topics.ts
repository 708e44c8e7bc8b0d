/** Topic names exactly as the real system uses them (docs/domain.md#events-and-topics). */
export const TOPICS = {
  batchEssaysRegistered: 'huleedu.batch.essays.registered.v1',
  essayContentProvisioned: 'huleedu.file.essay.content.provisioned.v1',
  essayValidationFailed: 'huleedu.file.essay.validation.failed.v1',
  excessContentProvisioned: 'huleedu.els.excess.content.provisioned.v1',
  batchEssaysReady: 'huleedu.els.batch.essays.ready.v1',
  essaySlotAssigned: 'huleedu.els.essay.slot.assigned.v1',
} as const

export type Topic = (typeof TOPICS)[keyof typeof TOPICS]

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS)

/** The topics ELS consumes. */
export const ELS_INPUT_TOPICS: readonly Topic[] = [
  TOPICS.batchEssaysRegistered,
  TOPICS.essayContentProvisioned,
  TOPICS.essayValidationFailed,
]

/** The real topics have 3 partitions each. */
export const DEFAULT_PARTITIONS = 3

/**
 * The partition-key remedy's one topic for both producers (not a topic of the real system):
 * keyed by batch id, so a batch's registration and contents share a partition.
 */
export const SHARED_BATCH_TOPIC = 'huleedu.essay.batch.events.v1'

const TOPIC_BY_NAME: ReadonlyMap<string, Topic> = new Map(ALL_TOPICS.map((topic) => [topic, topic]))

/**
 * The one shared string of a topic name read back from a database (SQLite hands out a fresh copy
 * per row): a large run keeps two of them per message, 500,000 messages at 10,000 batches.
 * Any other name is returned as it is.
 */
export function sharedTopicName(name: string): string {
  return TOPIC_BY_NAME.get(name) ?? name
}
