import {Box, Text} from 'ink'

import {SHORT_NAME, type EventType} from '../../sim/domain/events.js'
import {formatSeconds} from '../../sim/kernel/time.js'
import type {TraceEvent} from '../../sim/trace/trace-event.js'
import {formatTraceEvent} from '../timeline-line.js'

export interface DetailLine {
  label: string
  text: string
  color?: 'red' | 'green'
}

/** Lines the details pane always takes: the timeline line and up to three more. */
export const DETAILS_HEIGHT = 4

const shortType = (type: string): string => (SHORT_NAME as Record<string, string>)[type] ?? type

const DURATIONS = new Set(['retryIn', 'restartIn'])
/** Plainer names for the outcome's fields. */
const LABELS: Record<string, string> = {batchId: 'batch', textStorageId: 'text', essayId: 'slot', fileUploadId: 'file', eventId: 'event id'}

function fields(record: object, skip: readonly string[]): string {
  return Object.entries(record)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${LABELS[key] ?? key} ${DURATIONS.has(key) ? formatSeconds(value as number) : key === 'type' ? shortType(String(value)) : String(value)}`)
    .join(', ')
}

/**
 * What the details pane says about one event beyond its timeline line: for an ELS handling, the
 * outcome and the events it emitted; for the rest, the event's own fields.
 */
export function detailLines(event: TraceEvent, harmful: boolean): DetailLine[] {
  if (event.ev !== 'handled') return [{label: 'fields', text: fields(event, ['t', 'svc', 'ev'])}]
  const lines: DetailLine[] = [
    {label: 'outcome', text: `${event.outcome.kind}${fields(event.outcome, ['kind']) ? `: ${fields(event.outcome, ['kind'])}` : ''}`},
    {label: 'emitted', text: event.emitted.length > 0 ? event.emitted.map((type) => shortType(type as EventType)).join(', ') : 'nothing'},
  ]
  if (harmful && 'batchId' in event.outcome) {
    lines.push({
      label: '!',
      text: `ELS handled this before BatchEssaysRegistered ${event.outcome.batchId}: the harmful reordering`,
      color: 'red',
    })
  }
  return lines
}

export interface EventDetailsProps {
  event: TraceEvent
  harmful: boolean
  /** Lines the pane takes (DETAILS_HEIGHT unless the terminal is short). */
  height?: number
}

/** The event under the cursor: its full timeline line, then its outcome or fields. */
export function EventDetails({event, harmful, height = DETAILS_HEIGHT}: EventDetailsProps) {
  const lines = detailLines(event, harmful).slice(0, height - 1)
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end" color={harmful ? 'red' : undefined}>
        {formatTraceEvent(event)}
      </Text>
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end" color={line.color}>
          <Text dimColor>{line.label.padStart(9)}  </Text>
          {line.text}
        </Text>
      ))}
    </Box>
  )
}
