/** What each exit code means for one command, for its --help (the codes are src/sim/input-error.ts's EXIT). */
export interface ExitMeanings {
  0: string
  /** Absent where a command has no verdict to fail. */
  1?: string
  2?: string
  3?: string
}

/** The EXIT CODES section every command's --help ends its description with: all four codes it can end with. */
export function exitCodesHelp(meanings: ExitMeanings): string {
  const all: Record<number, string | undefined> = {
    0: meanings[0],
    1: meanings[1],
    2: meanings[2] ?? 'bad input: one line on stderr names the flag, file or field',
    3: meanings[3] ?? 'an internal error: one line on stderr (RACELAB_DEBUG=1 prints the stack)',
  }
  const rows = Object.entries(all).flatMap(([code, meaning]) => (meaning === undefined ? [] : [`  ${code}  ${meaning}`]))
  return ['EXIT CODES', ...rows].join('\n')
}
