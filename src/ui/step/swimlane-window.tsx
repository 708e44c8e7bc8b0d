import {Box, Text} from 'ink'

import {LANE_WIDTH, type SwimlaneModel, type SwimlaneRow} from '../swimlane-rows.js'

/** Width of what precedes the lanes on a row: cursor, harmful mark, time. */
const GUTTER = 12
const MIN_LANE = 8

/** Lane width that fits `columns` terminal columns: as wide as the swimlane view's, narrower when needed. */
export function laneWidthFor(columns: number, lanes: number): number {
  return Math.max(MIN_LANE, Math.min(LANE_WIDTH, Math.floor((columns - GUTTER) / Math.max(1, lanes))))
}

/**
 * The first row to show so that the cursor stays visible: the window moves only when the cursor
 * would leave it, and never shows past the last row.
 */
export function follow(top: number, cursor: number, height: number, total: number): number {
  const rows = Math.max(1, height)
  let next = top
  if (cursor < next) next = cursor
  if (cursor >= next + rows) next = cursor - rows + 1
  return Math.max(0, Math.min(next, total - rows))
}

function lane(text: string, width: number): string {
  return (text.length > width - 1 ? text.slice(0, width - 2) + '…' : text).padEnd(width)
}

/** One swimlane line: the cell in its service's column, dots in the lanes before it. */
export function laneLine(model: SwimlaneModel, row: SwimlaneRow, width: number, cursor: boolean): string {
  const cells = model.columns.map((_, i) => lane(i === row.column ? row.text : i < row.column ? '·' : '', width))
  return `${cursor ? '▶' : ' '}${row.harmful ? '!' : ' '} ${row.time.padStart(8)} ${cells.join('')}`.trimEnd()
}

export interface SwimlaneWindowProps {
  model: SwimlaneModel
  cursor: number
  /** First row shown (see `follow`). */
  top: number
  /** Rows shown, not counting the header. */
  height: number
  /** Terminal columns available. */
  columns: number
}

/** A window onto the swimlane: one column per service, one row per event, the cursor row highlighted. */
export function SwimlaneWindow({model, cursor, top, height, columns}: SwimlaneWindowProps) {
  const width = laneWidthFor(columns, model.columns.length)
  const header = `${''.padEnd(GUTTER)}${model.columns.map((c) => lane(c, width)).join('')}`.trimEnd()
  const shown = model.rows.slice(top, top + height)
  return (
    <Box flexDirection="column" width={columns} flexShrink={0}>
      <Text dimColor wrap="truncate-end">
        {header}
      </Text>
      {shown.map((row, i) => {
        const index = top + i
        const isCursor = index === cursor
        return (
          <Text key={index} wrap="truncate-end" inverse={isCursor} bold={isCursor} color={row.harmful ? 'red' : undefined}>
            {isCursor ? laneLine(model, row, width, true).padEnd(columns - 1) : laneLine(model, row, width, false)}
          </Text>
        )
      })}
    </Box>
  )
}
