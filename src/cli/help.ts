import {CommandHelp, Help} from '@oclif/core'

/** A row of an indented table: its indentation, a name (words one space apart), two or more spaces. */
const TABLE_ROW = /^ +(?:\S+ )*?\S+ {2,}(?=\S)/

/**
 * A command's help as racelab writes it: prose as paragraphs of one line each, which oclif wraps
 * to the terminal, and indented tables, which oclif's wrap would flatten (it trims every line it
 * wraps). This help wraps each table row under its text column, and keeps an indented line's
 * indentation on its continuation lines, so that --help reads well at 80 columns and wider.
 */
class RacelabCommandHelp extends CommandHelp {
  override wrap(body: string, spacing = this.indentSpacing): string {
    return body
      .split('\n')
      .map((line) => {
        const hang = (TABLE_ROW.exec(line)?.[0] ?? /^ */.exec(line)![0]).length
        if (hang === 0) return super.wrap(line, spacing)
        const rows = super.wrap(line.slice(hang), spacing + hang).split('\n')
        return rows.map((row, index) => (index === 0 ? line.slice(0, hang) : ' '.repeat(hang)) + row).join('\n')
      })
      .join('\n')
  }
}

/** racelab's help class (package.json oclif.helpClass): oclif's, with the wrapping above. */
export default class RacelabHelp extends Help {
  protected override CommandHelpClass = RacelabCommandHelp
}
