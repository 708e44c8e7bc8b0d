/** The row id of an `outbox_row` header (`service:rowId`), when there is one. */
export function rowNumber(row: string | undefined): number | undefined {
  if (row === undefined) return undefined
  const id = Number(row.slice(row.indexOf(':') + 1))
  return Number.isInteger(id) ? id : undefined
}

/** The service of an `outbox_row` header. */
export function rowService(row: string | undefined): string | undefined {
  return row === undefined || !row.includes(':') ? undefined : row.slice(0, row.indexOf(':'))
}
