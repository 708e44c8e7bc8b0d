import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

/**
 * A file of the installed racelab package, found through the package's own name rather than
 * relative to the calling module: the built commands are bundled (scripts/bundle-commands.mjs),
 * so a module's code may run from a chunk in another folder than its source's.
 */
export function packageFile(relative: string): string {
  return join(dirname(createRequire(import.meta.url).resolve('racelab/package.json')), relative)
}
