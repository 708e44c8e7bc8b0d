/** What a trace export says about the run it came from (titles, the reproduce line). */
export interface TraceSubject {
  scenario: string
  strategy: string
  seed: number
  /** The one command that reproduces the run, when known. */
  reproduce?: string
}

export function subjectTitle(subject: TraceSubject): string {
  return `racelab: ${subject.scenario} under ${subject.strategy}, seed ${subject.seed}`
}
