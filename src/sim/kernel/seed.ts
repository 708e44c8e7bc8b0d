/**
 * Seeds are 0..2^32-1 everywhere (run, step, record, verify's range, a fixture's seed): the
 * generator takes a 32-bit seed (`seed | 0`), so within this range every seed is its own run,
 * while 2^32 would silently be seed 0 again, and every seed is printed and read back exactly.
 */
export const MIN_SEED = 0
export const MAX_SEED = 0xffff_ffff
