import {execute} from '@oclif/core'

/**
 * racelab's start, as bin/run.js calls it. The build bundles this file, the help class and the
 * commands together, so they share one copy of @oclif/core, inlined: loading oclif's ~100
 * CommonJS files one by one was most of what `racelab --version` cost (docs/benchmarks.md).
 */
export async function main(dir: string): Promise<void> {
  await execute({dir})
}
