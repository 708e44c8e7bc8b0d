import {type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus} from 'pure-rand'

/** A seeded PRNG (pure-rand's xoroshiro128+): the only source of randomness in the core. */
export class SeededRng {
  private readonly generator: RandomGenerator

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed | 0)
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.generator)
  }
}
