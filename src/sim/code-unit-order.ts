/** Strings in code-unit order, as `<` compares them: the same on every machine, unlike localeCompare (the bus's assignments, the checks' sorts). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
