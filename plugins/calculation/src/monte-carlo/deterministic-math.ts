/**
 * ln, exp and pow built only from IEEE-754 basic arithmetic (+ − × ÷, which every conforming machine rounds the same
 * way) and bit manipulation, so that Monte Carlo samples are bit-identical on every machine and every JavaScript
 * engine version, whatever its libm does. The algorithms and constants are Sun's fdlibm (e_log.c, e_exp.c), the
 * same code most engines port; accuracy < 1 ulp.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Word order of a double in memory: little-endian machines keep the high word second.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.8014398509481984e16;
const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm (fdlibm `__ieee754_log`). */
export function ln(input: number): number {
  let x = input;
  f64[0] = x;
  let hx = u32[HI]! | 0;
  const lx = u32[LO]!;
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return Number.NaN;
    // Subnormal: scale up.
    k -= 54;
    x *= TWO54;
    f64[0] = x;
    hx = u32[HI]! | 0;
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // Normalise x to [sqrt(2)/2, sqrt(2)).
  f64[0] = x;
  u32[HI] = hx | (i ^ 0x3ff00000);
  x = f64[0]!;
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  let j = hx - 0x6147a;
  const w = z * z;
  const jj = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  j |= jj;
  const r = t2 + t1;
  if (j > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.4513321910194110842e2;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
const TWOM1000 = 9.3326361850321887899e-302;

/** e^x (fdlibm `__ieee754_exp`). */
export function exp(input: number): number {
  let x = input;
  f64[0] = x;
  let hx = u32[HI]!;
  const negative = hx >>> 31;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | u32[LO]!) !== 0) return x + x;
      return negative === 0 ? x : 0;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      hi = negative === 0 ? x - LN2_HI : x + LN2_HI;
      lo = negative === 0 ? LN2_LO : -LN2_LO;
      k = negative === 0 ? 1 : -1;
    } else {
      k = Math.trunc(INV_LN2 * x + (negative === 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  // Scale by 2^k by adding k to the exponent field.
  f64[0] = y;
  if (k >= -1021) {
    u32[HI] = (u32[HI]! + (k << 20)) >>> 0;
    return f64[0]!;
  }
  u32[HI] = (u32[HI]! + ((k + 1000) << 20)) >>> 0;
  return f64[0]! * TWOM1000;
}

/**
 * x^y: repeated squaring for 32-bit integer exponents (the usual case in value formulas, e.g. growth over periods:
 * a few exact multiplications), e^(y·ln x) otherwise. Negative bases with non-integer exponents give NaN, as in
 * Math.pow.
 */
export function pow(x: number, y: number): number {
  if (y === (y | 0)) {
    let n = y < 0 ? -y : y;
    let base = x;
    let result = 1;
    while (n !== 0) {
      if (n & 1) result *= base;
      base *= base;
      n >>>= 1;
    }
    return y < 0 ? 1 / result : result;
  }
  if (x > 0) return exp(y * ln(x));
  if (x === 0) return y > 0 ? 0 : Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  // Integral exponents beyond 32 bits: the sign follows the parity, the magnitude needs no parity (even: ≥ 2^32).
  return Number.isInteger(y) ? exp(y * ln(-x)) : Number.NaN;
}
