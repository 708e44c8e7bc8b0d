import type {TraceEvent} from '../sim/trace/trace-event.js'

export type Published = Extract<TraceEvent, {ev: 'published'}>
export type Handled = Extract<TraceEvent, {ev: 'handled'}>

/** One message on the bus: the publish that appended it and every handling of it, in order. */
export interface MessageFlow {
  /** 1, 2, ... in publish order: the same run gives the same ids. */
  id: number
  published: Published
  /** Each time an ELS instance handled it (a redelivery handles it again); empty for ELS's outputs. */
  handlings: Handled[]
}

/**
 * Joins each `published` event to the `handled` events of the same message. A message is named
 * by its event type, partition and offset: the type fixes the topic under every strategy (the
 * shared topic of partition-key carries each type at its own offsets), and a relay's re-send is
 * appended at a new offset, so it is a message of its own, as it is on the wire.
 */
export function messageFlows(trace: readonly TraceEvent[]): MessageFlow[] {
  const flows: MessageFlow[] = []
  const byMessage = new Map<string, MessageFlow>()
  for (const event of trace) {
    if (event.ev === 'published') {
      const flow = {id: flows.length + 1, published: event, handlings: []}
      flows.push(flow)
      byMessage.set(messageKey(event.type, event.partition, event.offset), flow)
    } else if (event.ev === 'handled') {
      byMessage.get(messageKey(event.type, event.partition, event.offset))?.handlings.push(event)
    }
  }
  return flows
}

function messageKey(type: string, partition: number, offset: number): string {
  return `${type}\u0000${partition}\u0000${offset}`
}

/** The trace events that are faults or their recovery (shaded in pictures, notes in diagrams). */
export function isFault(event: TraceEvent): boolean {
  switch (event.ev) {
    case 'publish-failed':
    case 'publish-given-up':
    case 'relay-crashed':
    case 'els-crashed':
    case 'crashed':
    case 'els-restarted':
    case 'els-rejoined':
    case 'handle-failed':
    case 'commit-rejected':
      return true
    default:
      return false
  }
}

/**
 * The lanes of a picture, in the swimlane's causal order (src/ui/swimlane-rows.ts), except that
 * ELS's instances (`els-1`, `els-2`, ...) come where `els` would, before the relay of ELS's outbox.
 */
export function laneOrder(columns: readonly string[]): string[] {
  const instances = columns.filter((c) => /^els-\d+$/.test(c))
  const rest = columns.filter((c) => !instances.includes(c))
  const at = rest.includes('els-relay') ? rest.indexOf('els-relay') : rest.length
  return [...rest.slice(0, at), ...instances, ...rest.slice(at)]
}
