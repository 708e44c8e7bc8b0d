/**
 * The shaping flags as written on a command line (`--essays/--batches/--delay/--fault/--wake/
 * --els-instances`), so a matrix defined in the core, like the CI matrix, goes through the same
 * parsing as user flags.
 */
export interface ShapeSpec {
  essays?: number
  batches?: number
  delay?: string[]
  fault?: string[]
  wake?: string[]
  'els-instances': number
}
