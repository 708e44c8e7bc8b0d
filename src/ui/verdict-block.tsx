import {StyledLines} from './styled-lines.js'
import {verdictLines, type VerdictProps} from './verdict-lines.js'

export type VerdictBlockProps = VerdictProps

/** The verdict lines (verdict-lines.ts) inside an ink view. */
export function VerdictBlock(props: VerdictBlockProps) {
  return <StyledLines lines={verdictLines(props)} />
}
