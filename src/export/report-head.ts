/** The first bytes of every report racelab writes: how `--out` recognises a file of its own. */
export const REPORT_HEAD = '<!DOCTYPE html>\n<!-- racelab report -->'
