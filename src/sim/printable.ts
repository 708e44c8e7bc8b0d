/**
 * Text from the user (a fixture's description, a file name, a flag's value) as it may be shown:
 * control characters, ANSI escapes among them, are written as `\x1b`, so a fixture cannot move
 * the cursor, recolour or clear the terminal of whoever replays it.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** A value quoted in a message: cut at `max` characters, control characters escaped. */
export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text
  return JSON.stringify(cut)
}

/** A value echoed after its flag: as given when short and plain, else quoted and cut. */
export function echo(text: string, max = 80): string {
  return text.length > 0 && text.length <= max && /^[\x21-\x7E±]+$/.test(text) ? text : quote(text, max)
}
