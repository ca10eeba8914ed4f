const MASK64 = (1n << 64n) - 1n;

/**
 * SplitMix64 (Steele, Lea & Flood 2014; the seeding routine Blackman and Vigna recommend for xoshiro). BigInt is
 * slow but this only runs once per stream.
 */
export function splitMix64(state: bigint): { value: bigint; state: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { value: z ^ (z >> 31n), state: next };
}

/** FNV-1a, 32 bit, over the UTF-16 code units of `text`: names a stream. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Largest seed accepted: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

/**
 * xoshiro128** 1.1 (Blackman & Vigna, prng.di.unimi.it/xoshiro128starstar.c): 128-bit state, period 2^128 − 1,
 * integer-only (Math.imul, shifts), hence bit-reproducible on every machine.
 *
 * @example
 * const rng = SeededRandom.forStream(42, 'driver:seats');
 * const u = rng.nextDouble(); // in (0, 1)
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * An independent stream per (seed, name): the 128-bit state is two SplitMix64 outputs from the 64-bit value
   * seed·2^32 + FNV-1a(name). Naming streams after drivers keeps a driver's samples unchanged when other drivers
   * are added, removed or reordered (common random numbers across what-if runs).
   */
  static forStream(seed: number, name: string): SeededRandom {
    let state = (BigInt(seed >>> 0) << 32n) | BigInt(fnv1a32(name));
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const out = splitMix64(state);
      state = out.state;
      words.push(Number(out.value & 0xffffffffn), Number(out.value >> 32n));
    }
    return new SeededRandom(words as [number, number, number, number]);
  }

  /** Next 32-bit output as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * A uniform double strictly inside (0, 1): 53 random bits (27 + 26 from two outputs) plus half a unit, so inverse
   * CDFs never see 0 or 1.
   */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low + 0.5) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
