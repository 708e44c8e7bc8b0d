/** How ELS treats content or a validation failure for a batch it has not seen registered. */
export const STRATEGIES = {
  naive: 'the bug: early content finds no slot and is reported excess; early failures are lost',
  buffer: 'the fix: early events wait in pending_content and are drained when the batch registers',
} as const

export type ElsStrategy = keyof typeof STRATEGIES

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as ElsStrategy[]
