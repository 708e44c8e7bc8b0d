/** A command a document backs a claim with: a fenced sh block followed by an `expect:` line. */
export interface DocCommand {
  file: string
  line: number
  command: string
  exit: number
  prints: string[]
}

/**
 * A block may be indented (inside a list item); its fence, its lines and its `expect:` line share
 * the indentation. Its lines are read one by one and none may be a fence, so a block without an
 * `expect:` line (the kcat recipes) never runs on into the next block's.
 */
const FENCE = /^( *)```sh\n((?:(?! *```)[^\n]*\n)*?)\1```\n\1expect: exit (\d+)(?:, prints (.*))?$/gm

/** Every marked command of a Markdown text: ```sh ... ``` then `expect: exit N, prints "A", "B"`. */
export function docCommands(file: string, text: string): DocCommand[] {
  return [...text.matchAll(FENCE)].map((m) => ({
    file,
    line: text.slice(0, m.index).split('\n').length,
    command: m[2]
      .trimEnd()
      .split('\n')
      .map((line) => line.slice(m[1].length))
      .join('\n')
      .trim(),
    exit: Number(m[3]),
    prints: [...(m[4] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((p) => p[1].replace(/\\"/g, '"')),
  }))
}
