import {CommandHelp, Help, type Command, type Interfaces} from '@oclif/core'

/** The one placeholder racelab's help texts use (examples name the binary). */
const BIN = '<%= config.bin %>'

/**
 * oclif passes every help string (each table cell included) through ejs, which compiles a
 * template each time: most of what `--help` cost. racelab's texts use only BIN, so put the
 * binary's name in directly, and leave ejs to any other template a text might hold.
 */
function fillBin(bin: string, ejs: (input: string) => string): (input: string) => string {
  return (input) => {
    const filled = input.replaceAll(BIN, bin)
    return filled.includes('<%') ? ejs(filled) : filled
  }
}

/** A row of an indented table: its indentation, a name (words one space apart), two or more spaces. */
const TABLE_ROW = /^ +(?:\S+ )*?\S+ {2,}(?=\S)/

/**
 * A command's help as racelab writes it: prose as paragraphs of one line each, which oclif wraps
 * to the terminal, and indented tables, which oclif's wrap would flatten (it trims every line it
 * wraps). This help wraps each table row under its text column, and keeps an indented line's
 * indentation on its continuation lines, so that --help reads well at 80 columns and wider.
 */
class RacelabCommandHelp extends CommandHelp {
  constructor(command: Command.Loadable, config: Interfaces.Config, opts: Interfaces.HelpOptions) {
    super(command, config, opts)
    this.render = fillBin(config.bin, this.render)
  }

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

  constructor(config: Interfaces.Config, opts: Partial<Interfaces.HelpOptions> = {}) {
    super(config, opts)
    this.render = fillBin(config.bin, this.render)
  }
}
