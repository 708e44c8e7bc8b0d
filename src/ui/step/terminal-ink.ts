/**
 * Ink, loaded for a person at a terminal. Ink decides once, when its module loads, whether it
 * runs in CI (the CI or CONTINUOUS_INTEGRATION variable), and there it draws only the last frame:
 * right for a log, a blank screen for the lab. The lab runs only when stdin and stdout are both a
 * TTY, so someone is watching whatever the environment says: hide the variables while Ink loads,
 * then put them back, so child processes (a --handler-cmd consumer) still see them.
 */
export async function inkForTerminal(): Promise<typeof import('ink')> {
  const names = ['CI', 'CONTINUOUS_INTEGRATION'] as const
  const saved = names.map((name) => [name, process.env[name]] as const)
  for (const name of names) delete process.env[name]
  try {
    return await import('ink')
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value
  }
}
