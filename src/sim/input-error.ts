/** Bad input from the user: reported as one line, exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError'
}

/** Exit codes racelab promises (documented in the README). */
export const EXIT = {
  ok: 0,
  violated: 1,
  badInput: 2,
  internal: 3,
} as const
