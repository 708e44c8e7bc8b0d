import {Box, Text} from 'ink'

import {formatSeconds} from '../../sim/kernel/time.js'
import {readiness, type BatchState, type StepState} from '../../sim/lab/batch-state-at.js'

type Counter = 'assigned' | 'failed' | 'buffered' | 'excess' | 'lost' | 'expired'

interface Column {
  header: string
  width: number
  cell: (batch: BatchState) => string
  right?: boolean
}

const counter = (name: Counter): Column => ({header: name, width: name.length + 2, cell: (b) => String(b[name]), right: true})

function files(batch: BatchState): string {
  if (batch.uploads === 0 && batch.committed === 0 && batch.refused === 0) return '-'
  const extra = [batch.invalid > 0 ? `${batch.invalid} invalid` : '', batch.refused > 0 ? `${batch.refused} refused` : ''].filter(Boolean)
  return `${batch.committed}/${batch.uploads}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`
}

function published(batch: BatchState): string {
  const parts = [batch.registrationPublished ? 'reg' : '', batch.filesPublished > 0 ? `${batch.filesPublished} file${batch.filesPublished === 1 ? '' : 's'}` : '']
  const text = parts.filter(Boolean).join(' + ')
  return text === '' ? '-' : text
}

/** The columns of the state table; `lost` and `expired` only when the run has any. */
export function stateColumns(batchWidth: number, extra: {lost: boolean; expired: boolean}): Column[] {
  return [
    {header: 'batch', width: batchWidth, cell: (b) => b.batchId},
    {header: 'at BOS', width: 11, cell: (b) => (b.bosRegistered ? `${b.expected} essays` : '-')},
    {header: 'files', width: 16, cell: files},
    {header: 'published', width: 16, cell: published},
    {header: 'at ELS', width: 9, cell: (b) => (b.elsRegistered ? `${b.slots} slots` : 'unknown')},
    counter('assigned'),
    counter('failed'),
    counter('buffered'),
    counter('excess'),
    ...(extra.lost ? [counter('lost')] : []),
    ...(extra.expired ? [counter('expired')] : []),
    {header: 'ready', width: 11, cell: readiness, right: true},
  ]
}

const pad = (column: Column, text: string): string => (column.right ? text.padStart(column.width) : text.padEnd(column.width))

/** The batches to list when only `max` fit: the first ones, with the focused batch always among them. */
export function visibleBatches(batches: readonly BatchState[], focus: string | undefined, max: number): BatchState[] {
  if (batches.length <= max) return [...batches]
  const shown = batches.slice(0, Math.max(1, max))
  if (focus !== undefined && !shown.some((b) => b.batchId === focus)) {
    const focused = batches.find((b) => b.batchId === focus)
    if (focused) shown[shown.length - 1] = focused
  }
  return shown
}

/** Lines the pane takes for this many batches when at most `max` rows are listed. */
export function statePaneHeight(batches: number, max: number): number {
  return 1 + Math.max(1, Math.min(batches, max)) + (batches > max ? 1 : 0)
}

export interface StatePaneProps {
  state: StepState
  /** Whether the whole run has dropped failures or expired rows (columns stay put while stepping). */
  extra: {lost: boolean; expired: boolean}
  /** Batch rows listed at most. */
  maxRows: number
}

/** What the state pane is titled: the event it reflects. */
export function stateTitle(state: StepState): string {
  return state.index < 0 ? 'state before the first event' : `state after event ${state.index + 1} (${formatSeconds(state.t)})`
}

/** Each batch as the trace up to the cursor leaves it: BOS, File Service, relays, ELS, readiness. */
export function StatePane({state, extra, maxRows}: StatePaneProps) {
  const batchWidth = Math.max(5, ...state.batches.map((b) => b.batchId.length)) + 2
  const columns = stateColumns(batchWidth, extra)
  const shown = visibleBatches(state.batches, state.focus, maxRows)
  const hidden = state.batches.length - shown.length
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {columns.map((column) => pad(column, column.header)).join('')}
      </Text>
      {shown.length === 0 ? <Text dimColor>no batch yet</Text> : null}
      {shown.map((batch) => {
        const focused = batch.batchId === state.focus
        const ready = readiness(batch)
        return (
          <Text key={batch.batchId} wrap="truncate-end" bold={focused} color={focused ? 'cyan' : undefined}>
            {columns.slice(0, -1).map((column) => pad(column, column.cell(batch))).join('')}
            <Text color={batch.ready > 1 ? 'red' : batch.ready === 1 ? 'green' : undefined}>{pad(columns[columns.length - 1], ready)}</Text>
          </Text>
        )
      })}
      {hidden > 0 ? <Text dimColor>… {hidden} more batches</Text> : null}
    </Box>
  )
}
