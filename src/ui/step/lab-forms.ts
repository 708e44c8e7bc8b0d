import type {FaultKind} from '../../sim/scenario/fault-spec.js'
import {FAULTS} from '../../sim/scenario/fault-spec.js'
import {DELAY_TARGET_NAMES, delayValue, hasFault, WAKE_SERVICES, type LabConfig} from '../../sim/lab/lab-config.js'
import type {ExportKind} from '../../sim/lab/lab-export.js'
import type {RunParameters} from '../../sim/scenario/run-parameters.js'
import type {StyledLine} from '../styled-line.js'

/** The forms the lab opens over the swimlane: each row, the one selected, and text being typed. */
export type LabForm =
  | {kind: 'delays'; selected: number; editing?: string; error?: string}
  | {kind: 'faults'; selected: number; error?: string}
  | {kind: 'export-kind'}
  | {kind: 'export-path'; exportKind: ExportKind; path: string; error?: string}
  | {kind: 'export-confirm'; exportKind: ExportKind; path: string; why: string}

/** The delay form's rows: every delay target, then every writer's wake-up. */
export type DelayRow = {kind: 'delay'; target: (typeof DELAY_TARGET_NAMES)[number]} | {kind: 'wake'; service: (typeof WAKE_SERVICES)[number]}

export const DELAY_ROWS: readonly DelayRow[] = [
  ...DELAY_TARGET_NAMES.map((target) => ({kind: 'delay' as const, target})),
  ...WAKE_SERVICES.map((service) => ({kind: 'wake' as const, service})),
]

export const FAULT_ROWS = Object.keys(FAULTS) as FaultKind[]

const wakeOf = (parameters: RunParameters, service: (typeof WAKE_SERVICES)[number]): boolean => parameters.relays[service].wake

/** The value a delay row shows: what the run used. */
export function delayRowValue(row: DelayRow, parameters: RunParameters): string {
  return row.kind === 'delay' ? delayValue(parameters, row.target) : wakeOf(parameters, row.service) ? 'on' : 'off'
}

const rowName = (row: DelayRow): string => (row.kind === 'delay' ? row.target : `wake ${row.service}`)

/** A window of `height` rows that keeps `selected` in view. */
function windowed<T>(rows: readonly T[], selected: number, height: number): {from: number; shown: T[]} {
  const from = Math.max(0, Math.min(selected - Math.floor(height / 2), rows.length - height))
  return {from, shown: rows.slice(from, from + Math.max(1, height))}
}

/** The form as lines, at most `height` of them (title and hint included). */
export function formLines(form: LabForm, config: LabConfig, parameters: RunParameters, height: number): StyledLine[] {
  const body = Math.max(1, height - 2)
  switch (form.kind) {
    case 'delays': {
      const title: StyledLine = {text: form.editing === undefined ? 'delays and wakes: ↑↓ choose, Enter edit (a wake: toggle), Esc close' : 'type the new value (2s, 500ms±100ms, 0..1s), Enter re-simulate, Esc cancel', tone: 'bold'}
      const {from, shown} = windowed(DELAY_ROWS, form.selected, body)
      const lines = shown.map((row, i): StyledLine => {
        const index = from + i
        const selected = index === form.selected
        const value = selected && form.editing !== undefined ? `${form.editing}█` : delayRowValue(row, parameters)
        return {text: `${selected ? '▶' : ' '} ${rowName(row).padEnd(16)} ${value}`, tone: selected ? 'warn' : undefined}
      })
      return [title, ...lines, form.error ? {text: form.error, tone: 'fail'} : {text: `${from + shown.length < DELAY_ROWS.length ? '↓ more' : ''}`, tone: 'dim'}]
    }
    case 'faults': {
      const title: StyledLine = {text: 'faults: ↑↓ choose, Enter or space toggles (re-simulates), Esc close', tone: 'bold'}
      const {from, shown} = windowed(FAULT_ROWS, form.selected, body)
      const lines = shown.map((kind, i): StyledLine => {
        const selected = from + i === form.selected
        const on = hasFault(config, kind)
        return {text: `${selected ? '▶' : ' '} [${on ? 'x' : ' '}] ${kind.padEnd(29)} ${FAULTS[kind]}`, tone: selected ? 'warn' : on ? 'bold' : undefined}
      })
      return [title, ...lines, form.error ? {text: form.error, tone: 'fail'} : {text: '', tone: 'dim'}]
    }
    case 'export-kind':
      return [
        {text: 'export the current run:', tone: 'bold'},
        {text: '  f  as a fixture (YAML: replays this run, racelab replay FILE)'},
        {text: '  t  as a trace (JSON lines, as --trace writes)'},
        {text: '  Esc cancel', tone: 'dim'},
      ]
    case 'export-path':
      return [
        {text: `export as a ${form.exportKind}: edit the path, Enter write, Esc cancel`, tone: 'bold'},
        {text: `path: ${form.path}█`},
        ...(form.error ? [{text: form.error, tone: 'fail' as const}] : []),
      ]
    case 'export-confirm':
      return [
        {text: `${form.path} ${form.why}.`, tone: 'warn'},
        {text: 'Replace it? y replaces, n (or Esc) keeps it and asks for another path', tone: 'bold'},
      ]
  }
}
