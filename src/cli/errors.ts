/**
 * Invalid fixtures: every problem is one line (`file:line: field: what is wrong`), all of them on
 * stderr, exit 2 (BaseCommand's error map). The report naming them was printed first.
 */
export class FixtureProblemsError extends Error {
  override readonly name = 'FixtureProblemsError'

  constructor(readonly lines: readonly string[]) {
    super(`${lines.length} fixture problem${lines.length === 1 ? '' : 's'}`)
  }
}
