/** Most invalid uploads per batch `--invalid` takes (a batch uploads at most 10,000 files). */
export const MAX_INVALID = 10_000

/**
 * The shaping flags as written on a command line (`--essays/--batches/--invalid/--delay/--fault/
 * --wake/--els-instances`), so a matrix defined in the core, like the CI matrix, goes through the same
 * parsing as user flags.
 */
export interface ShapeSpec {
  essays?: number
  batches?: number
  invalid?: number
  delay?: string[]
  fault?: string[]
  wake?: string[]
  'els-instances': number
}
