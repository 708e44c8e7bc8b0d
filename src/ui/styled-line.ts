/**
 * A line of a static report with the one style it is shown in. Reports are built as these lines
 * once; `paint` prints them as text (no ink, no react: the first reproduction starts fast), and
 * `StyledLines` shows the same lines inside an ink view.
 */
export type Tone = 'plain' | 'bold' | 'dim' | 'pass' | 'fail' | 'warn'

export interface StyledLine {
  text: string
  tone?: Tone
}

const ANSI: Record<Exclude<Tone, 'plain'>, [string, string]> = {
  bold: ['\u001B[1m', '\u001B[22m'],
  dim: ['\u001B[2m', '\u001B[22m'],
  pass: ['\u001B[1m\u001B[32m', '\u001B[39m\u001B[22m'],
  fail: ['\u001B[1m\u001B[31m', '\u001B[39m\u001B[22m'],
  warn: ['\u001B[33m', '\u001B[39m'],
}

export function paint(line: StyledLine, color: boolean): string {
  if (!color || line.tone === undefined || line.tone === 'plain' || line.text === '') return line.text
  const [open, close] = ANSI[line.tone]
  return open + line.text + close
}

/** Colour as chalk decides it: FORCE_COLOR and NO_COLOR first, then a terminal that is not dumb. */
export function colorFor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.NO_COLOR !== undefined) return false
  return stream.isTTY === true && env.TERM !== 'dumb'
}

export const blank: StyledLine = {text: ''}
