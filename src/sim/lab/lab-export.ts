import {checkWriteTarget, OWN_FILES, writeFileSafely, writeTarget} from '../files/safe-write.js'
import {recordFixture} from '../fixture/record/fixture-record.js'
import {InputError} from '../input-error.js'
import {traceLines} from '../trace/trace-file.js'
import {labCommand, labRunOptions, type LabConfig} from './lab-config.js'
import type {LabRun} from './lab-run.js'

export type ExportKind = 'fixture' | 'trace'

/** What an export did: wrote the file, or found one it may replace only when the user says so. */
export type ExportOutcome = {kind: 'written'; path: string} | {kind: 'exists'; path: string; why: string} | {kind: 'refused'; path: string; why: string}

/** The file name the export form offers first. */
export function defaultExportPath(config: LabConfig, kind: ExportKind): string {
  return `racelab-${config.scenario}-${config.strategy}-${config.seed}.${kind === 'fixture' ? 'yaml' : 'jsonl'}`
}

/**
 * Writes the lab's current run as a fixture (recorded as `racelab record` would, checked to replay
 * to the same trace) or as a JSON-lines trace, under racelab's rule for the files it writes
 * (src/sim/files/safe-write.ts): a file of the user's (any fixture, a file that is not a trace) is
 * replaced only with `force`, which the lab asks for; a symlink, directory or device never.
 */
export function exportLabRun(lab: LabRun, kind: ExportKind, path: string, force: boolean): ExportOutcome {
  const flag = kind === 'fixture' ? 'export fixture' : 'export trace'
  const target = writeTarget(flag, path, {force, ours: kind === 'trace' ? OWN_FILES.trace : undefined})
  try {
    checkWriteTarget(target)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const why = error.message.replace(`${flag} ${path}: `, '')
    return /add --force/.test(why) ? {kind: 'exists', path, why: why.replace(/ \(add --force to replace it\)/, '')} : {kind: 'refused', path, why}
  }
  try {
    if (kind === 'trace') {
      writeFileSafely(target, traceLines(lab.run.trace))
    } else {
      const {schedule, ...options} = labRunOptions(lab.config)
      if (schedule !== undefined) throw new InputError('a run replayed from --schedule cannot be recorded as a fixture (record draws from the seed): change something first')
      writeFileSafely(target, recordFixture({...options, command: labCommand(lab.config)}).text)
    }
  } catch (error) {
    if (error instanceof InputError) return {kind: 'refused', path, why: error.message.replace(`${flag} ${path}: `, '')}
    throw error
  }
  return {kind: 'written', path}
}
