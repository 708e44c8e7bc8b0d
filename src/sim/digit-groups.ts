/**
 * An integer with its digits in groups of three (`1234567` → `1,234,567`), as
 * `toLocaleString('en')` writes it, without ICU: the first call of a locale-aware formatter loads
 * ICU's number data, about 20 ms, and command modules format limits in their help at import
 * (docs/benchmarks.md, "Start-up"). Not an integer: as toLocaleString writes it.
 */
export function digitGroups(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString('en')
  const digits = String(Math.abs(value))
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',')
  return value < 0 ? `-${grouped}` : grouped
}
